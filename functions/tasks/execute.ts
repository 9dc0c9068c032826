import { tasks } from "./runtime";

/** The `execute` task of the remediation state machine (packages/pipeline). */
export const handler = (event: unknown) => tasks.execute(event);
