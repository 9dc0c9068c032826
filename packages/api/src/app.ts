import type { DecisionDeps } from "@kubernaut/approvals";
import { Hono } from "hono";
import { withErrorHandling } from "./app-errors";
import { approvalRoutes } from "./approvals";
import { metricsRoutes } from "./health/metrics";
import { healthRoutes } from "./health/routes";
import { type IngestAppDeps, mountIngest } from "./ingest/app";
import { remediationRoutes } from "./remediations/routes";
import { type SlackDeps, slackRoutes } from "./slack";
import { suggestionRoutes } from "./suggestions/routes";
import { type TrustDeps, trustRoutes } from "./workflows/routes";

export type AppDeps = IngestAppDeps & {
  /** The approvals group (policy, catalog, decision delivery); absent, its routes are not mounted. */
  approvals?: DecisionDeps;
  /** The trust ladder's controls: workflow trust levels and the kill switch. */
  trust?: TrustDeps;
  /** Slack interactivity (buttons, the approve-with-changes modal); needs the approvals group. */
  slack?: Omit<SlackDeps, "decisions" | "config">;
};

/** Every route group on one app: what the local loop serves (on AWS each group is its own Lambda). */
export function createApp(deps: AppDeps): Hono {
  // Decisions judge an override at its own workflow's trust level: hand them the trust store when the
  // app has one.
  const approvals =
    deps.approvals && deps.trust && !deps.approvals.trust
      ? { ...deps.approvals, trust: deps.trust.trust }
      : deps.approvals;
  const app = new Hono();
  withErrorHandling(app);
  app.route("/", healthRoutes());
  app.route("/", metricsRoutes());
  mountIngest(app, deps);
  app.route("/", remediationRoutes(deps.store, deps.config.auth.apiTokens));
  if (approvals) app.route("/", approvalRoutes(approvals, deps.config.auth.apiTokens));
  if (deps.trust) app.route("/", trustRoutes(deps.trust, deps.config.auth.apiTokens));
  if (deps.trust?.suggestions)
    app.route(
      "/",
      suggestionRoutes({ ...deps.trust, suggestions: deps.trust.suggestions }, deps.config.auth.apiTokens),
    );
  if (approvals && deps.slack) {
    app.route("/", slackRoutes({ ...deps.slack, decisions: approvals, config: approvals.config }));
  }
  return app;
}

/** The approvals group's Lambda app: the API decisions and Slack's interactions (opa-wasm for overrides). */
export function createApprovalsApp(deps: {
  config: AppDeps["config"];
  approvals: DecisionDeps;
  slack?: Omit<SlackDeps, "decisions" | "config">;
}): Hono {
  const app = new Hono();
  withErrorHandling(app);
  app.route("/", approvalRoutes(deps.approvals, deps.config.auth.apiTokens));
  if (deps.slack)
    app.route("/", slackRoutes({ ...deps.slack, decisions: deps.approvals, config: deps.approvals.config }));
  return app;
}

/** The API group's Lambda app: read routes, health, and the trust ladder's controls. */
export function createApiApp(deps: Pick<AppDeps, "config" | "store" | "trust">): Hono {
  const app = new Hono();
  withErrorHandling(app);
  app.route("/", healthRoutes());
  app.route("/", remediationRoutes(deps.store, deps.config.auth.apiTokens));
  if (deps.trust) app.route("/", trustRoutes(deps.trust, deps.config.auth.apiTokens));
  if (deps.trust?.suggestions)
    app.route(
      "/",
      suggestionRoutes({ ...deps.trust, suggestions: deps.trust.suggestions }, deps.config.auth.apiTokens),
    );
  return app;
}
