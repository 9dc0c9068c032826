import { pipelineTasks } from "@kubernaut/runtime";
import { lambda } from "@kubernaut/runtime/lambda";

/** The `finish` task of the remediation state machine (packages/pipeline). */
export const handler = await lambda("task-finish", (rt) => pipelineTasks(rt).finish);
