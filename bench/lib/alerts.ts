import type { Hono } from "hono";
import { post, WEBHOOK_TOKEN } from "./loop";

export const WEBHOOK_PATH = "/api/v1/signals/prometheus";

export interface AlertSpec {
  alertname: string;
  namespace: string;
  deployment: string;
  status?: "firing" | "resolved";
  severity?: string;
}

/**
 * An Alertmanager v4 webhook body with one alert, as a receiver grouped by workload sends it. One
 * alert per delivery is the costliest case per alert (nothing is shared across a group), which is
 * what the per-alert figures are about.
 */
export function webhookBody(alert: AlertSpec): string {
  const status = alert.status ?? "firing";
  const labels = {
    alertname: alert.alertname,
    severity: alert.severity ?? "critical",
    namespace: alert.namespace,
    deployment: alert.deployment,
    // Scrape-target labels every real alert carries; ingest must ignore them.
    job: "kube-state-metrics",
    instance: "10.0.0.12:8080",
    container: "app",
  };
  return JSON.stringify({
    version: "4",
    groupKey: `{}:{namespace="${alert.namespace}", deployment="${alert.deployment}"}`,
    truncatedAlerts: 0,
    status,
    receiver: "kubernaut",
    groupLabels: { namespace: alert.namespace, deployment: alert.deployment },
    commonLabels: labels,
    commonAnnotations: { summary: `${alert.alertname} on ${alert.deployment}` },
    externalURL: "http://alertmanager:9093",
    alerts: [
      {
        status,
        labels,
        annotations: {
          summary: `${alert.alertname} on ${alert.deployment}`,
          description: `Pod of ${alert.namespace}/${alert.deployment} is restarting.`,
          runbook_url: "https://runbooks.example.com/KubePodCrashLooping",
        },
        startsAt: "2026-11-25T10:00:00.123456789Z",
        endsAt: status === "resolved" ? "2026-11-25T10:30:00Z" : "0001-01-01T00:00:00Z",
        generatorURL: "http://prometheus:9090/graph?g0.expr=kube_pod_container_status_restarts_total",
        fingerprint: `${alert.namespace}-${alert.deployment}-${alert.alertname}`.slice(0, 16),
      },
    ],
  });
}

/** What ingest answered for the one alert of a delivery. */
export interface Accepted {
  status: string;
  remediationId: string | null;
  reason?: string;
}

/** Delivers one webhook body to an app (the ingest function's, in-process) and checks the 202. */
export async function deliver(app: Hono, body: string): Promise<Accepted> {
  const { status, json } = await post(app, WEBHOOK_PATH, body, WEBHOOK_TOKEN);
  if (status !== 202) throw new Error(`webhook answered ${status}: ${JSON.stringify(json)}`);
  const accepted = (json as { accepted: Accepted[] }).accepted[0];
  if (!accepted) throw new Error("webhook answered without a result");
  return accepted;
}
