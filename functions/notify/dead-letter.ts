import { notifyTasks } from "@kubernaut/runtime";
import { lambda } from "@kubernaut/runtime/lambda";

/** The `dead-letter` task of the notify state machine (packages/notify). */
export const handler = await lambda("notify-dead-letter", (rt) => notifyTasks(rt)["dead-letter"]);
