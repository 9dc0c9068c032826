import { a2aApp } from "@kubernaut/runtime";
import { lambda } from "@kubernaut/runtime/lambda";
import { handle } from "hono/aws-lambda";

/** A2A (DESIGN §2): other agents delegate problems; tasks follow remediations, kept in DynamoDB. */
export const handler = await lambda("a2a", (rt) => handle(a2aApp(rt)));
