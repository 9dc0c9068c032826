import { SFNClient } from "@aws-sdk/client-sfn";
import type { Config } from "@kubernaut/config";
import { NotificationStore, Notifier } from "@kubernaut/notify";
import { FilePolicyStore } from "@kubernaut/policy";
import { ApprovalStore, createDynamoClient, documentClient, RemediationStore } from "@kubernaut/store";
import { CATALOG } from "@kubernaut/workflows";
import { requiredEnv } from "./runtime";

/** What the approvals function and the outbox sweep share. */
export function approvalDeps(config: Config) {
  const db = documentClient(createDynamoClient(config.storage));
  const store = new RemediationStore(db, {
    tableName: config.storage.tableName,
    remediationRetentionDays: config.retention.remediationDays,
    auditRetentionDays: config.retention.auditDays,
  });
  return {
    db,
    config: () => config,
    store,
    approvals: new ApprovalStore(db, config.storage.tableName, config.retention.remediationDays),
    catalog: CATALOG,
    policy: new FilePolicyStore(() => config.aianalysis.rego.policy, 60_000),
    notifier: new Notifier({
      config: () => config,
      notifications: new NotificationStore(db, config.storage.tableName, config.retention.remediationDays),
      sfn: new SFNClient({}),
      stateMachineArn: requiredEnv("KUBERNAUT_NOTIFY_STATE_MACHINE_ARN"),
    }),
  };
}
