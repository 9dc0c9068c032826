import type { Config } from "@kubernaut/config";
import type { IntakeStarter, RemediationStarter } from "@kubernaut/ingest";
import type { IntakeStore, RemediationStore } from "@kubernaut/store";
import { Hono } from "hono";
import { withErrorHandling } from "../app-errors";
import { intakeRoutes } from "../intake/routes";
import { ingestRoutes } from "./routes";

export interface IngestAppDeps {
  config: Config;
  store: RemediationStore;
  starter: RemediationStarter;
  /** Natural-language intake: its records and the intake state machine's starter. */
  intake?: { intakes: IntakeStore; starter: IntakeStarter };
  now?: () => Date;
}

/**
 * The ingest function's whole app: the webhook and text intake (which only records the request and
 * starts the intake state machine). It imports only hono, the store and the SFN client, so the Lambda
 * stays small and cold-starts fast (DESIGN §2); test/ingest-bundle.test.ts holds it to that.
 */
export function createIngestApp(deps: IngestAppDeps): Hono {
  const app = new Hono();
  withErrorHandling(app);
  mountIngest(app, deps);
  return app;
}

/** Mounts the ingest group on an app (its own Lambda's, or the local loop's shared one). */
export function mountIngest(app: Hono, deps: IngestAppDeps): void {
  app.route(
    "/",
    ingestRoutes(
      {
        store: deps.store,
        starter: deps.starter,
        pendingGraceMs: deps.config.gateway.pendingGrace,
        ...(deps.now ? { now: deps.now } : {}),
      },
      { webhookToken: deps.config.auth.webhookToken, maxBodyBytes: deps.config.gateway.maxBodyBytes },
    ),
  );
  app.route(
    "/",
    intakeRoutes(
      {
        ...deps.intake,
        modelConfigured: deps.config.aianalysis.llm !== undefined,
        ...(deps.now ? { now: deps.now } : {}),
      },
      deps.config.auth.apiTokens,
    ),
  );
}
