import { ApiError, parseOrThrow, webhookAuth } from "@kubernaut/http";
import { type IngestDeps, type IngestResult, ingestSignal } from "@kubernaut/ingest";
import { metrics } from "@kubernaut/telemetry";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AlertmanagerWebhook, toSignal } from "./alertmanager";

export interface IngestRouteOptions {
  webhookToken: string | undefined;
  maxBodyBytes: number;
}

/**
 * `POST /api/v1/signals/prometheus` (DESIGN §3.1): authenticate, bound the body, validate the whole
 * group before writing anything, then take every alert on its own. A malformed group is a 400 and
 * writes nothing; an alert without a usable target is `rejected` while the others proceed.
 */
export function ingestRoutes(deps: IngestDeps, options: IngestRouteOptions) {
  return new Hono().post(
    "/api/v1/signals/prometheus",
    webhookAuth(options.webhookToken),
    bodyLimit({
      maxSize: options.maxBodyBytes,
      onError: () => {
        throw new ApiError(
          413,
          "payload_too_large",
          `body exceeds ${options.maxBodyBytes} bytes; set max_alerts on the Alertmanager receiver`,
        );
      },
    }),
    async (c) => {
      const text = await c.req.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (error) {
        // Alertmanager never sends this; a person testing with curl does, and needs the shape.
        throw new ApiError(
          400,
          "invalid_request",
          `body is not valid JSON: ${(error as Error).message}; expected an Alertmanager v4 webhook like {"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"KubePodCrashLooping","namespace":"staging","deployment":"checkout"},"startsAt":"2026-01-01T00:00:00Z"}]}`,
        );
      }
      const webhook = parseOrThrow(AlertmanagerWebhook, body, "Alertmanager webhook");
      const receivedAt = deps.now?.() ?? new Date();
      // Alerts of one group are independent workloads, so they run concurrently; a transient fault in
      // any of them fails the delivery (503) and Alertmanager redelivers the group, which dedup absorbs.
      const accepted: IngestResult[] = await Promise.all(
        webhook.alerts.map((alert) => ingestSignal(deps, toSignal(alert, receivedAt, webhook))),
      );
      for (const result of accepted) {
        metrics.inc("kubernaut_gateway_signals_total", "Alerts received, by what ingest did with them", {
          status: result.status,
        });
      }
      return c.json({ accepted }, 202);
    },
  );
}
