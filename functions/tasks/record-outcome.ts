import { pipelineTasks } from "@kubernaut/runtime";
import { lambda } from "@kubernaut/runtime/lambda";

/** The `record-outcome` task of the remediation state machine (packages/pipeline). */
export const handler = await lambda("task-record-outcome", (rt) => pipelineTasks(rt)["record-outcome"]);
