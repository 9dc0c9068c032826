import { Hono } from "hono";
import { withErrorHandling } from "./app-errors";
import { metricsRoutes } from "./health/metrics";
import { healthRoutes } from "./health/routes";
import { type IngestAppDeps, mountIngest } from "./ingest/app";
import { remediationRoutes } from "./remediations/routes";

export type AppDeps = IngestAppDeps;

/** Every route group on one app: what the local loop serves (on AWS each group is its own Lambda). */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  withErrorHandling(app);
  app.route("/", healthRoutes());
  app.route("/", metricsRoutes());
  mountIngest(app, deps);
  app.route("/", remediationRoutes(deps.store, deps.config.auth.apiTokens));
  return app;
}

/** The API group's Lambda app: read routes and health. */
export function createApiApp(deps: Pick<AppDeps, "config" | "store">): Hono {
  const app = new Hono();
  withErrorHandling(app);
  app.route("/", healthRoutes());
  app.route("/", remediationRoutes(deps.store, deps.config.auth.apiTokens));
  return app;
}
