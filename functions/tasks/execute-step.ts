import { pipelineTasks } from "@kubernaut/runtime";
import { lambda } from "@kubernaut/runtime/lambda";

/** The `execute-step` task of the remediation state machine (packages/pipeline). */
export const handler = await lambda("task-execute-step", (rt) => pipelineTasks(rt)["execute-step"]);
