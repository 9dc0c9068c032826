import { a2aRoutes } from "@kubernaut/a2a";
import { createApiApp, createApp, createApprovalsApp, type TrustDeps } from "@kubernaut/api";
import { createIngestApp } from "@kubernaut/api/ingest";
import type { DecisionDeps } from "@kubernaut/approvals";
import { consoleSettingsFromEnv, createConsole } from "@kubernaut/console";
import { mcpRoutes } from "@kubernaut/mcp";
import type { Hono } from "hono";
import { decisionSender, intakeStarter, pipelineStarter } from "./parts/aws";
import { catalog } from "./parts/catalog";
import { notifier } from "./parts/notify";
import { approvalPolicy } from "./parts/policy";
import { slack } from "./parts/slack";
import { approvals, db, intakes, remediations, suggestions, systemAudit, trust } from "./parts/store";
import type { Runtime } from "./runtime";

/**
 * The HTTP route groups (DESIGN §9). On AWS each group is its own function (`FUNCTIONS` in
 * functions.ts); the local loop serves them all on one app. Every group is built here, from the same
 * parts, so what `npm start` serves is what the Lambdas serve.
 */

const now = (rt: Runtime) => (rt.adapters.now ? { now: rt.adapters.now } : {});

/** Text intake: its records and the intake machine's starter (built when the route first needs them). */
const intakeDeps = (rt: Runtime) => ({
  get intakes() {
    return intakes(rt);
  },
  get starter() {
    return intakeStarter(rt);
  },
});

/** What a decision needs, wherever it is made (API, Slack, console, MCP). */
export const decisionDeps = (rt: Runtime): DecisionDeps =>
  rt.part("decisionDeps", () => ({
    config: rt.config,
    get store() {
      return remediations(rt);
    },
    get approvals() {
      return approvals(rt);
    },
    get systemAudit() {
      return systemAudit(rt);
    },
    get catalog() {
      return catalog(rt);
    },
    get policy() {
      return approvalPolicy(rt);
    },
    get sender() {
      return decisionSender(rt);
    },
    get notifier() {
      return notifier(rt);
    },
    get trust() {
      return trust(rt);
    },
    ...now(rt),
  }));

/** The trust ladder's controls: trust levels, the kill switch, suggestions turned into workflows. */
export const trustDeps = (rt: Runtime): TrustDeps =>
  rt.part("trustDeps", () => ({
    config: rt.config,
    get store() {
      return remediations(rt);
    },
    get trust() {
      return trust(rt);
    },
    get systemAudit() {
      return systemAudit(rt);
    },
    get catalog() {
      return catalog(rt);
    },
    get suggestions() {
      return suggestions(rt);
    },
    ...now(rt),
  }));

/** The Alertmanager webhook and text intake: no cluster, policy, Slack or LLM client. */
export const ingestApp = (rt: Runtime): Hono =>
  createIngestApp({
    config: rt.config(),
    get store() {
      return remediations(rt);
    },
    get starter() {
      return pipelineStarter(rt);
    },
    intake: intakeDeps(rt),
    ...now(rt),
  });

/** Read routes, health, trust, suggestions, releases and the kill switch. */
export const apiApp = (rt: Runtime): Hono =>
  createApiApp({
    config: rt.config(),
    get store() {
      return remediations(rt);
    },
    trust: trustDeps(rt),
  });

/** Decisions through the API and Slack's interactions. */
export const approvalsApp = (rt: Runtime): Hono =>
  createApprovalsApp({
    config: rt.config(),
    approvals: decisionDeps(rt),
    slack: {
      get slack() {
        return slack(rt);
      },
      get systemAudit() {
        return systemAudit(rt);
      },
    },
  });

/** The console's pages (session secret and optional OIDC from the environment, SSM on AWS). */
export const consoleApp = (rt: Runtime) =>
  createConsole({
    decisions: decisionDeps(rt),
    get trust() {
      return trust(rt);
    },
    settings: consoleSettingsFromEnv(rt.adapters.env),
    ...now(rt),
  });

/** A2A: messages become signals on the ingest path; tasks are items in the same table. */
export const a2aApp = (rt: Runtime) =>
  a2aRoutes(
    {
      config: rt.config(),
      get store() {
        return remediations(rt);
      },
      get starter() {
        return pipelineStarter(rt);
      },
      get db() {
        return db(rt);
      },
      intake: intakeDeps(rt),
      ...now(rt),
    },
    rt.config().auth.apiTokens,
  );

/** Every API route group on one app (the local loop's, and the one MCP's tools call in-process). */
export const fullApiApp = (rt: Runtime): Hono =>
  createApp({
    config: rt.config(),
    get store() {
      return remediations(rt);
    },
    get starter() {
      return pipelineStarter(rt);
    },
    intake: intakeDeps(rt),
    approvals: decisionDeps(rt),
    slack: {
      get slack() {
        return slack(rt);
      },
      get systemAudit() {
        return systemAudit(rt);
      },
    },
    trust: trustDeps(rt),
    ...now(rt),
  });

/** MCP for assistants: its tools call the API's route groups in-process with the caller's token. */
export const agentsApp = (rt: Runtime): Hono => {
  const app = fullApiApp(rt);
  app.route(
    "/",
    mcpRoutes((request) => app.fetch(request), rt.config().auth.apiTokens),
  );
  return app;
};

/** The local loop's one server: the API with MCP, A2A and the console mounted beside it. */
export const localApp = (rt: Runtime): Hono => {
  const app = agentsApp(rt);
  app.route("/", a2aApp(rt));
  app.route("/", consoleApp(rt));
  return app;
};
