import { notifyTasks } from "./runtime";

/** The notify state machine's dead-letter step (packages/notify). */
export const handler = (event: unknown) => notifyTasks["dead-letter"](event);
