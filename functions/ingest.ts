import { SFNClient } from "@aws-sdk/client-sfn";
import { createIngestApp, StepFunctionsStarter } from "@kubernaut/api/ingest";
import { handle } from "hono/aws-lambda";
import { createStore, loadRuntimeConfig, requiredEnv } from "./runtime";

/** Alertmanager webhook (DESIGN §3.1). Kept free of client-node, opa-wasm, Slack and LLM clients. */
const config = await loadRuntimeConfig();
const app = createIngestApp({
  config,
  store: createStore(config),
  starter: new StepFunctionsStarter(new SFNClient({}), requiredEnv("KUBERNAUT_STATE_MACHINE_ARN")),
});

export const handler = handle(app);
