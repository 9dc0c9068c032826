import { SFNClient } from "@aws-sdk/client-sfn";
import { Classifier } from "@kubernaut/agent";
import { ClusterDirectory } from "@kubernaut/cluster";
import { createModel } from "@kubernaut/llm";
import { NotificationStore, Notifier } from "@kubernaut/notify";
import { createTaskHandlers } from "@kubernaut/pipeline";
import { FilePolicyStore } from "@kubernaut/policy";
import {
  ApprovalStore,
  AssessmentStore,
  createDynamoClient,
  documentClient,
  LeaseStore,
  RemediationStore,
  SuggestionStore,
  TrustStore,
} from "@kubernaut/store";
import { CATALOG } from "@kubernaut/workflows";
import { loadRuntimeConfig, requiredEnv } from "../runtime";

/**
 * Shared by every task Lambda: dependencies built once per container. Step Functions' lambda:invoke
 * passes the state's Payload as the event, which is exactly what the task handlers take.
 */
const config = await loadRuntimeConfig();
const db = documentClient(createDynamoClient(config.storage));
const store = new RemediationStore(db, {
  tableName: config.storage.tableName,
  remediationRetentionDays: config.retention.remediationDays,
  auditRetentionDays: config.retention.auditDays,
});
const notifier = new Notifier({
  config: () => config,
  notifications: new NotificationStore(db, config.storage.tableName, config.retention.remediationDays),
  sfn: new SFNClient({}),
  stateMachineArn: requiredEnv("KUBERNAUT_NOTIFY_STATE_MACHINE_ARN"),
});
// The managed clusters: kubeconfigs shipped with the function, or EKS through the function's IAM role.
const cluster = new ClusterDirectory(() => config);
export const tasks = createTaskHandlers({
  config: () => config,
  store,
  approvals: new ApprovalStore(db, config.storage.tableName, config.retention.remediationDays),
  catalog: CATALOG,
  notifier,
  // The policy file ships with the function (SST copyFiles); edits apply on the next deploy.
  policy: new FilePolicyStore(() => config.aianalysis.rego.policy, 60_000),
  leases: new LeaseStore(db, config.storage.tableName),
  trust: new TrustStore(db, config.storage.tableName),
  suggestions: new SuggestionStore(db, config.storage.tableName),
  model: (phase) =>
    config.aianalysis.llm ? createModel(config.aianalysis.llm, process.env, phase) : undefined,
  assessments: new AssessmentStore(db, config.storage.tableName),
  classifier: new Classifier(() => config.signalProcessing.classificationPolicy, 60_000),
  cluster,
});
