import { agentsApp } from "@kubernaut/runtime";
import { lambda } from "@kubernaut/runtime/lambda";
import { handle } from "hono/aws-lambda";

/**
 * The assistants' route group (DESIGN §2): MCP at `/mcp`. Its tools call the API in-process with the
 * caller's token, so this function carries the API's route groups (approvals with opa-wasm included).
 */
export const handler = await lambda("agents", (rt) => handle(agentsApp(rt)));
