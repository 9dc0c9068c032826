import { createTaskHandlers } from "@kubernaut/pipeline";
import { ApprovalStore, createDynamoClient, documentClient } from "@kubernaut/store";
import { CATALOG } from "@kubernaut/workflows";
import { createStore, loadRuntimeConfig } from "../runtime";

/**
 * Shared by every task Lambda: dependencies built once per container. Step Functions' lambda:invoke
 * passes the state's Payload as the event, which is exactly what the task handlers take.
 */
const config = await loadRuntimeConfig();
const approvals = new ApprovalStore(
  documentClient(createDynamoClient(config.storage)),
  config.storage.tableName,
  config.retention.remediationDays,
);
export const tasks = createTaskHandlers({
  config: () => config,
  store: createStore(config),
  approvals,
  catalog: CATALOG,
});
