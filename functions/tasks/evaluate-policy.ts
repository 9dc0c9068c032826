import { tasks } from "./runtime";

/** The `evaluate-policy` task of the remediation state machine (packages/pipeline). */
export const handler = (event: unknown) => tasks["evaluate-policy"](event);
