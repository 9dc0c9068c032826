import { metrics } from "@kubernaut/telemetry";
import { Hono } from "hono";

/**
 * `GET /metrics` in the Prometheus text format (the local loop). On Lambda the same names go to
 * CloudWatch as EMF, so this route is not deployed there. Unauthenticated like /healthz: it carries
 * counts, not remediation content, and scrapers rarely hold API tokens.
 */
export function metricsRoutes() {
  return new Hono().get("/metrics", async (c) => {
    c.header("content-type", "text/plain; version=0.0.4; charset=utf-8");
    return c.body(await metrics.render());
  });
}
