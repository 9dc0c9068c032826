import { SFNClient } from "@aws-sdk/client-sfn";
import { createIngestApp, StepFunctionsIntakeStarter, StepFunctionsStarter } from "@kubernaut/api/ingest";
import { IntakeStore } from "@kubernaut/store";
import { handle } from "hono/aws-lambda";
import { createStore, documentClientFor, loadRuntimeConfig, requiredEnv } from "./runtime";

/** Alertmanager webhook (DESIGN §3.1). Kept free of client-node, opa-wasm, Slack and LLM clients. */
const config = await loadRuntimeConfig();
const sfn = new SFNClient({});
const app = createIngestApp({
  config,
  store: createStore(config),
  starter: new StepFunctionsStarter(sfn, requiredEnv("KUBERNAUT_STATE_MACHINE_ARN")),
  intake: {
    intakes: new IntakeStore(
      documentClientFor(config),
      config.storage.tableName,
      config.retention.remediationDays,
    ),
    starter: new StepFunctionsIntakeStarter(sfn, requiredEnv("KUBERNAUT_INTAKE_STATE_MACHINE_ARN")),
  },
});

export const handler = handle(app);
