import { intakeTasks } from "@kubernaut/runtime";
import { lambda } from "@kubernaut/runtime/lambda";

/** The `intake-failed` task of the intake state machine (packages/intake). */
export const handler = await lambda("intake-failed", (rt) => intakeTasks(rt)["intake-failed"]);
