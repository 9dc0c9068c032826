import { pipelineTasks } from "@kubernaut/runtime";
import { lambda } from "@kubernaut/runtime/lambda";

/** The `enrich` task of the remediation state machine (packages/pipeline). */
export const handler = await lambda("task-enrich", (rt) => pipelineTasks(rt).enrich);
