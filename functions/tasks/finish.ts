import { tasks } from "./runtime";

/** The `finish` task of the remediation state machine (packages/pipeline). */
export const handler = (event: unknown) => tasks.finish(event);
