import { SFNClient } from "@aws-sdk/client-sfn";
import { deliverPendingDecisions, StepFunctionsDecisionSender } from "@kubernaut/api/outbox";
import { ClusterDirectory } from "@kubernaut/cluster";
import { assessDue } from "@kubernaut/effectiveness";
import { ApprovalStore, AssessmentStore, TrustStore } from "@kubernaut/store";
import { logger } from "@kubernaut/telemetry";
import { createStore, documentClientFor, loadRuntimeConfig } from "./runtime";

/**
 * The one EventBridge schedule (every minute), so an idle installation pays for one schedule, not two:
 * the approvals outbox sweep (decisions recorded but not yet delivered to their execution go out) and
 * the effectiveness monitor (DESIGN §3.10: every due assessment is scored). Each runs on its own: a
 * failure of one is logged and never stops the other.
 */
const config = await loadRuntimeConfig();
const db = documentClientFor(config);
const store = createStore(config);
const approvals = new ApprovalStore(db, config.storage.tableName, config.retention.remediationDays);
const sender = new StepFunctionsDecisionSender(new SFNClient({}));
const monitor = {
  config: () => config,
  store,
  assessments: new AssessmentStore(db, config.storage.tableName),
  trust: new TrustStore(db, config.storage.tableName),
  cluster: new ClusterDirectory(() => config),
};

export const handler = async () => {
  const [outbox, assessed] = await Promise.allSettled([
    deliverPendingDecisions({ store, approvals, sender }),
    assessDue(monitor),
  ]);
  if (outbox.status === "rejected") logger.error("approvals outbox sweep failed", { error: outbox.reason });
  if (assessed.status === "rejected")
    logger.error("effectiveness monitor failed", { error: assessed.reason });
  // A failed half fails the invocation too, so it shows in the function's error metric and alarms.
  if (outbox.status === "rejected" || assessed.status === "rejected")
    throw new Error("a scheduled job failed; see the log");
  return {
    outbox: outbox.value,
    assessments: {
      runId: assessed.value.runId,
      due: assessed.value.due,
      processed: assessed.value.processed.length,
      rescheduled: assessed.value.rescheduled.length,
    },
  };
};
