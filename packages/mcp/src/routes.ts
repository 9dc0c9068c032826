import type { ApiTokenConfig } from "@kubernaut/config";
import { type AuthEnv, apiAuth } from "@kubernaut/http";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { Hono } from "hono";
import { type ApiFetch, CallerApi } from "./api-client";
import { createMcpServer } from "./server";

/**
 * `/mcp` (Streamable HTTP, stateless: one server per request, JSON responses), for any API token. The
 * token is checked here first, so an unknown token never reaches the protocol; what the caller may do
 * is then decided by the API each tool calls with that same token.
 */
export function mcpRoutes(api: ApiFetch, tokens: readonly ApiTokenConfig[]) {
  return new Hono<AuthEnv>().all("/mcp", apiAuth(tokens, "viewer"), async (c) => {
    const token = /^Bearer\s+(\S+)/i.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
    const caller = c.get("caller");
    const server = createMcpServer(new CallerApi(api, token));
    const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw, {
        authInfo: { token, clientId: caller.name, scopes: [caller.role] },
      });
    } finally {
      await server.close();
    }
  });
}
