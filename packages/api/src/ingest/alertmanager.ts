import type { Signal } from "@kubernaut/core";
import { z } from "zod";

const LabelSet = z.record(z.string(), z.string());
/** RFC 3339 as Alertmanager writes it: any sub-second precision, `Z` or an offset. */
const Timestamp = z.iso.datetime({ offset: true });

/**
 * The Alertmanager webhook payload, version 4. `fingerprint` is optional: Alertmanager before 0.19 does
 * not send it, and it is only kept for reference (our fingerprint is the workload's, not the alert's).
 */
export const AlertmanagerAlert = z.object({
  /** Alertmanager always sends it; other senders may not, and then the group's status applies. */
  status: z.enum(["firing", "resolved"]).optional(),
  labels: LabelSet,
  annotations: LabelSet.default({}),
  startsAt: Timestamp,
  endsAt: Timestamp.optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});
export type AlertmanagerAlert = z.infer<typeof AlertmanagerAlert>;

export const AlertmanagerWebhook = z.object({
  version: z.literal("4").optional(),
  groupKey: z.string().optional(),
  truncatedAlerts: z.number().int().min(0).optional(),
  status: z.enum(["firing", "resolved"]),
  receiver: z.string().optional(),
  groupLabels: LabelSet.default({}),
  commonLabels: LabelSet.default({}),
  commonAnnotations: LabelSet.default({}),
  externalURL: z.string().optional(),
  alerts: z.array(AlertmanagerAlert).min(1, "a webhook needs at least one alert"),
});
export type AlertmanagerWebhook = z.infer<typeof AlertmanagerWebhook>;

/**
 * One alert of the group as a normalised signal. Alertmanager repeats the group's common labels on
 * every alert, other senders (and hand-written payloads) may put them in `commonLabels` only, so they
 * are merged in, the alert's own labels winning; an alert without its own status has the group's.
 */
export function toSignal(
  alert: AlertmanagerAlert,
  receivedAt: Date,
  group: Pick<AlertmanagerWebhook, "status" | "commonLabels"> = { status: "firing", commonLabels: {} },
): { status: "firing" | "resolved"; signal: Signal } {
  const labels = { ...group.commonLabels, ...alert.labels };
  return {
    status: alert.status ?? group.status,
    signal: {
      source: "prometheus",
      alertName: labels.alertname ?? "",
      severity: labels.severity ?? "unknown",
      labels,
      annotations: alert.annotations,
      startsAt: alert.startsAt,
      ...(alert.generatorURL ? { generatorURL: alert.generatorURL } : {}),
      ...(alert.fingerprint ? { alertFingerprint: alert.fingerprint } : {}),
      receivedAt: receivedAt.toISOString(),
    },
  };
}
