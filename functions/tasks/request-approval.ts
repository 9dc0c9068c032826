import { tasks } from "./runtime";

/** The `request-approval` task of the remediation state machine (packages/pipeline). */
export const handler = (event: unknown) => tasks["request-approval"](event);
