import { Hono } from "hono";
import { withErrorHandling } from "./app-errors";
import { approvalRoutes, type DecisionDeps } from "./approvals";
import { metricsRoutes } from "./health/metrics";
import { healthRoutes } from "./health/routes";
import { type IngestAppDeps, mountIngest } from "./ingest/app";
import { remediationRoutes } from "./remediations/routes";

export type AppDeps = IngestAppDeps & {
  /** The approvals group (policy, catalog, decision delivery); absent, its routes are not mounted. */
  approvals?: DecisionDeps;
};

/** Every route group on one app: what the local loop serves (on AWS each group is its own Lambda). */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  withErrorHandling(app);
  app.route("/", healthRoutes());
  app.route("/", metricsRoutes());
  mountIngest(app, deps);
  app.route("/", remediationRoutes(deps.store, deps.config.auth.apiTokens));
  if (deps.approvals) app.route("/", approvalRoutes(deps.approvals, deps.config.auth.apiTokens));
  return app;
}

/** The approvals group's Lambda app (it carries opa-wasm for override re-evaluation). */
export function createApprovalsApp(deps: { config: AppDeps["config"]; approvals: DecisionDeps }): Hono {
  const app = new Hono();
  withErrorHandling(app);
  app.route("/", approvalRoutes(deps.approvals, deps.config.auth.apiTokens));
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
