import { tasks } from "./runtime";

/** The `check-rollout` task of the remediation state machine (packages/pipeline). */
export const handler = (event: unknown) => tasks["check-rollout"](event);
