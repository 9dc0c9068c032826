import { tasks } from "./runtime";

/** The `enrich` task of the remediation state machine (packages/pipeline). */
export const handler = (event: unknown) => tasks.enrich(event);
