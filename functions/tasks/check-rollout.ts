import { pipelineTasks } from "@kubernaut/runtime";
import { lambda } from "@kubernaut/runtime/lambda";

/** The `check-rollout` task of the remediation state machine (packages/pipeline). */
export const handler = await lambda("task-check-rollout", (rt) => pipelineTasks(rt)["check-rollout"]);
