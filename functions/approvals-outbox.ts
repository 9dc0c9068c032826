import { SFNClient } from "@aws-sdk/client-sfn";
import { deliverPendingDecisions, StepFunctionsDecisionSender } from "@kubernaut/api";
import { approvalDeps } from "./approvals-runtime";
import { loadRuntimeConfig } from "./runtime";

/** Every minute (EventBridge Scheduler): decisions recorded but not yet delivered to their execution go out. */
const config = await loadRuntimeConfig();
const { store, approvals } = approvalDeps(config);
const sender = new StepFunctionsDecisionSender(new SFNClient({}));

export const handler = async () => deliverPendingDecisions({ store, approvals, sender });
