import { SFNClient } from "@aws-sdk/client-sfn";
import { createIngestApp } from "@kubernaut/api";
import { StepFunctionsStarter } from "@kubernaut/ingest";
import { LocalStepFunctions, serveStepFunctions } from "@kubernaut/pipeline";
import { RemediationStore } from "@kubernaut/store";
import { freshTable, meterCapacity, REGION } from "./dynamo";
import { benchConfig } from "./loop";

const NOOP_ARN = "arn:aws:states:us-east-1:000000000000:stateMachine:bench-noop";

/**
 * The ingest function's app on a fresh table, starting executions of a state machine that does nothing
 * through the real SFN client and the engine's endpoint: StartExecution is paid, the pipeline's work is
 * not. What ingest costs on its own, apart from the remediations it starts.
 */
export async function startIngestOnly(endpoint: string, tablePrefix: string) {
  const engine = new LocalStepFunctions();
  engine.register({
    stateMachineArn: NOOP_ARN,
    definition: { StartAt: "Started", States: { Started: { Type: "Succeed" } } },
    handlers: {},
  });
  const server = await serveStepFunctions(engine, 0);
  const sfn = new SFNClient({
    region: REGION,
    endpoint: server.endpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 3,
  });
  const config = benchConfig({}, tablePrefix);
  const { client, db } = await freshTable(endpoint, config.storage.tableName);
  const capacity = meterCapacity(client);
  const store = new RemediationStore(db, {
    tableName: config.storage.tableName,
    remediationRetentionDays: config.retention.remediationDays,
    auditRetentionDays: config.retention.auditDays,
  });
  const app = createIngestApp({ config, store, starter: new StepFunctionsStarter(sfn, NOOP_ARN) });
  return {
    app,
    capacity,
    config,
    close: async () => {
      sfn.destroy();
      client.destroy();
      await engine.shutdown();
      await server.close();
    },
  };
}
