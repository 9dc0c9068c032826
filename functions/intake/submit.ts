import { intakeTasks } from "@kubernaut/runtime";
import { lambda } from "@kubernaut/runtime/lambda";

/** The `intake-submit` task of the intake state machine (packages/intake). */
export const handler = await lambda("intake-submit", (rt) => intakeTasks(rt)["intake-submit"]);
