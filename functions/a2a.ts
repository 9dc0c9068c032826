import { SFNClient } from "@aws-sdk/client-sfn";
import { a2aRoutes } from "@kubernaut/a2a";
import { StepFunctionsIntakeStarter, StepFunctionsStarter } from "@kubernaut/api/ingest";
import { IntakeStore } from "@kubernaut/store";
import { handle } from "hono/aws-lambda";
import { createStore, documentClientFor, loadRuntimeConfig, requiredEnv } from "./runtime";

/** A2A (DESIGN §2): other agents delegate problems; tasks follow remediations, kept in DynamoDB. */
const config = await loadRuntimeConfig();
const sfn = new SFNClient({});
const db = documentClientFor(config);
export const handler = handle(
  a2aRoutes(
    {
      config,
      store: createStore(config),
      db,
      starter: new StepFunctionsStarter(sfn, requiredEnv("KUBERNAUT_STATE_MACHINE_ARN")),
      intake: {
        intakes: new IntakeStore(db, config.storage.tableName, config.retention.remediationDays),
        starter: new StepFunctionsIntakeStarter(sfn, requiredEnv("KUBERNAUT_INTAKE_STATE_MACHINE_ARN")),
      },
    },
    config.auth.apiTokens,
  ),
);
