import { ingestApp } from "@kubernaut/runtime";
import { lambda } from "@kubernaut/runtime/lambda";
import { handle } from "hono/aws-lambda";

/** Alertmanager webhook and text intake (DESIGN §3.1). Kept free of client-node, opa-wasm, Slack and LLM clients. */
export const handler = await lambda("ingest", (rt) => handle(ingestApp(rt)));
