import { pipelineTasks } from "@kubernaut/runtime";
import { lambda } from "@kubernaut/runtime/lambda";

/** The `request-approval` task of the remediation state machine (packages/pipeline). */
export const handler = await lambda("task-request-approval", (rt) => pipelineTasks(rt)["request-approval"]);
