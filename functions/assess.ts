import { ClusterDirectory } from "@kubernaut/cluster";
import { assessDue } from "@kubernaut/effectiveness";
import { AssessmentStore, createDynamoClient, documentClient, TrustStore } from "@kubernaut/store";
import { createStore, loadRuntimeConfig } from "./runtime";

/** The effectiveness monitor (DESIGN §3.10), on an EventBridge schedule: scores every due assessment. */
const config = await loadRuntimeConfig();
const db = documentClient(createDynamoClient(config.storage));
const deps = {
  config: () => config,
  store: createStore(config),
  assessments: new AssessmentStore(db, config.storage.tableName),
  trust: new TrustStore(db, config.storage.tableName),
  cluster: new ClusterDirectory(() => config),
};

export const handler = async () => {
  const run = await assessDue(deps);
  return {
    runId: run.runId,
    due: run.due,
    processed: run.processed.length,
    rescheduled: run.rescheduled.length,
  };
};
