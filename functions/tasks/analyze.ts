import { tasks } from "./runtime";

/** The `analyze` task of the remediation state machine (packages/pipeline). */
export const handler = (event: unknown) => tasks.analyze(event);
