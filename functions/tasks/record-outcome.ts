import { tasks } from "./runtime";

/** The `record-outcome` task of the remediation state machine (packages/pipeline). */
export const handler = (event: unknown) => tasks["record-outcome"](event);
