import { scheduled } from "@kubernaut/runtime";
import { lambda } from "@kubernaut/runtime/lambda";

/**
 * The one EventBridge schedule (every minute), so an idle installation pays for one schedule, not two:
 * the approvals outbox sweep and the effectiveness monitor (DESIGN §3.10), with its Completion
 * notifications.
 */
export const handler = await lambda("schedule", scheduled);
