import { pipelineTasks } from "@kubernaut/runtime";
import { lambda } from "@kubernaut/runtime/lambda";

/** The `evaluate-policy` task of the remediation state machine (packages/pipeline). */
export const handler = await lambda("task-evaluate-policy", (rt) => pipelineTasks(rt)["evaluate-policy"]);
