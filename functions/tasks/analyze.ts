import { pipelineTasks } from "@kubernaut/runtime";
import { lambda } from "@kubernaut/runtime/lambda";

/** The `analyze` task of the remediation state machine (packages/pipeline). */
export const handler = await lambda("task-analyze", (rt) => pipelineTasks(rt).analyze);
