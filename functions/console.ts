import { consoleApp } from "@kubernaut/runtime";
import { lambda } from "@kubernaut/runtime/lambda";
import { handle } from "hono/aws-lambda";

/**
 * The console (DESIGN §2): server-rendered pages under /console. It decides approvals the way the
 * approvals function does; the session secret and optional OIDC settings come from SSM.
 */
export const handler = await lambda("console", (rt) => handle(consoleApp(rt)));
