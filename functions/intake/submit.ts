import { intake } from "./runtime";

/** The `intake-submit` task of the intake state machine (packages/intake). */
export const handler = (event: unknown) => intake["intake-submit"](event);
