import { executionClosed } from "@kubernaut/runtime";
import { lambda } from "@kubernaut/runtime/lambda";

/**
 * EventBridge "Step Functions Execution Status Change" for FAILED / TIMED_OUT / ABORTED executions: a
 * remediation whose execution ended without reaching a terminal phase is failed, so its fingerprint is
 * released.
 */
export const handler = await lambda("execution-closed", executionClosed);
