import { intake } from "./runtime";

/** The `intake-failed` task of the intake state machine (packages/intake). */
export const handler = (event: unknown) => intake["intake-failed"](event);
