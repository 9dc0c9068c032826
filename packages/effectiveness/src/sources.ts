import { z } from "zod";

const Alerts = z.array(
  z.object({ labels: z.record(z.string(), z.string()), status: z.object({ state: z.string() }).optional() }),
);

/** The active alerts Alertmanager (API v2) has matching equality filters; `undefined` when it cannot be asked. */
export async function activeAlerts(
  alertmanagerUrl: string,
  filters: Record<string, string>,
): Promise<Array<{ labels: Record<string, string> }> | undefined> {
  const url = new URL("/api/v2/alerts", alertmanagerUrl);
  for (const [name, value] of Object.entries(filters))
    url.searchParams.append("filter", `${name}="${value}"`);
  url.searchParams.set("active", "true");
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) return undefined;
    return Alerts.parse(await response.json()).filter((a) => (a.status?.state ?? "active") === "active");
  } catch {
    return undefined;
  }
}

/**
 * Whether Alertmanager still has the alert active for the target. `undefined` when it could not be
 * asked: the alert component is then not assessed rather than guessed.
 */
export async function alertStillActive(
  alertmanagerUrl: string,
  alertName: string,
  target: { namespace?: string; name: string },
): Promise<boolean | undefined> {
  const alerts = await activeAlerts(alertmanagerUrl, {
    alertname: alertName,
    ...(target.namespace ? { namespace: target.namespace } : {}),
  });
  return alerts?.some((a) => Object.values(a.labels).includes(target.name));
}

const Vector = z.object({
  status: z.literal("success"),
  data: z.object({ result: z.array(z.object({ value: z.tuple([z.number(), z.string()]) })) }),
});

/** One instant query against the Prometheus HTTP API; `undefined` when there is no data or no answer. */
export async function promInstant(
  prometheusUrl: string,
  query: string,
  at: Date,
): Promise<number | undefined> {
  const url = new URL("/api/v1/query", prometheusUrl);
  url.searchParams.set("query", query);
  url.searchParams.set("time", String(at.getTime() / 1000));
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) return undefined;
    const parsed = Vector.safeParse(await response.json());
    const value = parsed.success ? parsed.data.data.result[0]?.value[1] : undefined;
    return value === undefined ? undefined : Number(value);
  } catch {
    return undefined;
  }
}

/**
 * The metrics component: container restarts over the stabilization window before the remediation
 * against the same window after it. No restarts after → 1; fewer → partial credit; as many or more → 0.
 */
export function restartsScore(before: number, after: number): number {
  if (after === 0) return 1;
  if (before <= 0 || after >= before) return 0;
  return Math.round((0.5 + 0.5 * (1 - after / before)) * 1000) / 1000;
}
