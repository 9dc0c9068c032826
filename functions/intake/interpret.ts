import { intakeTasks } from "@kubernaut/runtime";
import { lambda } from "@kubernaut/runtime/lambda";

/** The `intake-interpret` task of the intake state machine (packages/intake). */
export const handler = await lambda("intake-interpret", (rt) => intakeTasks(rt)["intake-interpret"]);
