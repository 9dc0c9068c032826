import { z } from "zod";

const Alerts = z.array(
  z.object({ labels: z.record(z.string(), z.string()), status: z.object({ state: z.string() }).optional() }),
);

/**
 * Whether Alertmanager (API v2) still has the alert active for the target. `undefined` when it could
 * not be asked: the alert component is then not assessed rather than guessed.
 */
export async function alertStillActive(
  alertmanagerUrl: string,
  alertName: string,
  target: { namespace?: string; name: string },
): Promise<boolean | undefined> {
  const url = new URL("/api/v2/alerts", alertmanagerUrl);
  url.searchParams.append("filter", `alertname="${alertName}"`);
  if (target.namespace) url.searchParams.append("filter", `namespace="${target.namespace}"`);
  url.searchParams.set("active", "true");
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) return undefined;
    const alerts = Alerts.parse(await response.json());
    return alerts.some(
      (a) => (a.status?.state ?? "active") === "active" && Object.values(a.labels).includes(target.name),
    );
  } catch {
    return undefined;
  }
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
