/** Builds Alertmanager v4 webhook bodies for cases the published fixtures do not cover. */
export function webhook(
  alerts: Array<{
    labels: Record<string, string>;
    annotations?: Record<string, string>;
    status?: "firing" | "resolved";
    fingerprint?: string;
  }>,
  status: "firing" | "resolved" = "firing",
) {
  return {
    version: "4",
    groupKey: '{}:{alertname="test"}',
    truncatedAlerts: 0,
    status,
    receiver: "kubernaut",
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: "http://alertmanager:9093",
    alerts: alerts.map((alert) => ({
      status: alert.status ?? status,
      labels: alert.labels,
      annotations: alert.annotations ?? { summary: "test" },
      startsAt: "2026-11-25T10:00:00.123456789Z",
      endsAt: "0001-01-01T00:00:00Z",
      generatorURL: "http://prometheus:9090/graph",
      ...(alert.fingerprint ? { fingerprint: alert.fingerprint } : {}),
    })),
  };
}
