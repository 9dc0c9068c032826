import { approvalsApp } from "@kubernaut/runtime";
import { lambda } from "@kubernaut/runtime/lambda";
import { handle } from "hono/aws-lambda";

/** Approvals route group (DESIGN §9): list and decide, and Slack's interactions; opa-wasm re-evaluates overrides. */
export const handler = await lambda("approvals", (rt) => handle(approvalsApp(rt)));
