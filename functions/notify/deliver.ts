import { notifyTasks } from "@kubernaut/runtime";
import { lambda } from "@kubernaut/runtime/lambda";

/** The `deliver` task of the notify state machine (packages/notify). */
export const handler = await lambda("notify-deliver", (rt) => notifyTasks(rt).deliver);
