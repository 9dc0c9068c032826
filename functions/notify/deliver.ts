import { notifyTasks } from "./runtime";

/** One delivery attempt of the notify state machine (packages/notify). */
export const handler = (event: unknown) => notifyTasks.deliver(event);
