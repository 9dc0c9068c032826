import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Loopback stand-ins for the Alertmanager API v2 (`GET /api/v2/alerts`) and the Prometheus HTTP API
 * (`GET /api/v1/query`), for tests and `npm start`. Tests set what they answer.
 */
export async function startObservabilityStandIns() {
  const alerts: Array<{ labels: Record<string, string>; status: { state: string } }> = [];
  const series = new Map<string, number | ((timeSeconds: number) => number | undefined)>();
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://standin");
    response.setHeader("content-type", "application/json");
    if (url.pathname === "/api/v2/alerts") {
      const filters = url.searchParams
        .getAll("filter")
        .map((f) => /^(\w+)="(.*)"$/.exec(f))
        .filter((m): m is RegExpExecArray => m !== null);
      response.end(
        JSON.stringify(alerts.filter((a) => filters.every((m) => a.labels[m[1] as string] === m[2]))),
      );
      return;
    }
    if (url.pathname === "/api/v1/query") {
      const query = url.searchParams.get("query") ?? "";
      const time = Number(url.searchParams.get("time") ?? 0);
      const key = [...series.keys()].find((k) => query.includes(k));
      const entry = key === undefined ? undefined : series.get(key);
      const value = typeof entry === "function" ? entry(time) : entry;
      response.end(
        JSON.stringify({
          status: "success",
          data: {
            resultType: "vector",
            result: value === undefined ? [] : [{ metric: {}, value: [time, String(value)] }],
          },
        }),
      );
      return;
    }
    response.statusCode = 404;
    response.end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    alertmanagerUrl: url,
    prometheusUrl: url,
    /** An alert Alertmanager reports as active. */
    fire(labels: Record<string, string>) {
      alerts.push({ labels, status: { state: "active" } });
    },
    resolveAll() {
      alerts.splice(0);
    },
    /** What an instant query containing `match` returns (by substring), fixed or as a function of time. */
    setSeries(match: string, value: number | ((timeSeconds: number) => number | undefined)) {
      series.set(match, value);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
