import { intake } from "./runtime";

/** The `intake-interpret` task of the intake state machine (packages/intake). */
export const handler = (event: unknown) => intake["intake-interpret"](event);
