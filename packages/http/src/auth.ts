import { createHash, timingSafeEqual } from "node:crypto";
import type { ApiTokenConfig, ApproverScope, Role } from "@kubernaut/config";
import { metrics } from "@kubernaut/telemetry";
import { createMiddleware } from "hono/factory";
import { ApiError } from "./errors";

/**
 * Counts a request refused before (or without) an audit record: one metric for every door, by reason.
 * Requests without a verified identity can come from anyone, so writing them to DynamoDB would let
 * anyone load the table; a rate of refusals is what an operator needs to see an attack or a broken client.
 */
export function countRefusal(door: "api" | "webhook" | "slack", reason: string): void {
  metrics.inc(
    "kubernaut_requests_refused_total",
    "Requests refused at authentication or authorisation, by door and reason",
    { door, reason },
  );
}

/**
 * The channel a request came through, for the audit record. Clients of the API that are channels of
 * their own (the CLI, the MCP server calling the API for an assistant) say so in a header; it names the
 * route taken, never grants anything — authorisation is the token's.
 */
export type RequestChannel = "api" | "cli" | "mcp" | "console";
export function requestChannel(header: string | undefined): RequestChannel {
  return header === "cli" || header === "mcp" || header === "console" ? header : "api";
}

/** The authenticated caller of a request: a named token with a role (DESIGN §9). */
export interface Caller {
  name: string;
  role: Role;
  scopes: readonly ApproverScope[];
}

export type AuthEnv = { Variables: { caller: Caller } };

const RANK: Record<Role, number> = { viewer: 0, approver: 1, admin: 2 };

function bearer(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/**
 * Alertmanager can only send a bearer token (it has no HMAC signing), so the webhook compares it in
 * constant time: both sides are hashed first, which also hides the configured token's length.
 */
export function webhookAuth(expectedToken: string | undefined) {
  const expected = expectedToken ? sha256(expectedToken) : undefined;
  return createMiddleware(async (c, next) => {
    if (!expected)
      throw new ApiError(
        401,
        "unauthorized",
        "the webhook token is not configured (KUBERNAUT_WEBHOOK_TOKEN)",
      );
    const token = bearer(c.req.header("authorization"));
    if (!token) {
      countRefusal("webhook", "missing_token");
      throw new ApiError(401, "unauthorized", "missing bearer token (Authorization: Bearer <webhook token>)");
    }
    if (!timingSafeEqual(sha256(token), expected)) {
      countRefusal("webhook", "invalid_token");
      throw new ApiError(401, "unauthorized", "invalid webhook token");
    }
    await next();
  });
}

/**
 * API tokens are configured as SHA-256 hashes. Looking a token up by its hash leaks nothing useful through
 * timing: an attacker controls the token, not its hash.
 */
export function apiAuth(tokens: readonly ApiTokenConfig[], minimum: Role) {
  const byHash = new Map(tokens.map((token) => [token.sha256, token]));
  return createMiddleware<AuthEnv>(async (c, next) => {
    const token = bearer(c.req.header("authorization"));
    if (!token) {
      countRefusal("api", "missing_token");
      throw new ApiError(401, "unauthorized", "missing bearer token (Authorization: Bearer <API token>)");
    }
    const match = byHash.get(sha256(token).toString("hex"));
    if (!match) {
      countRefusal("api", "invalid_token");
      throw new ApiError(401, "unauthorized", "invalid API token");
    }
    if (RANK[match.role] < RANK[minimum]) {
      countRefusal("api", "role");
      throw new ApiError(
        403,
        "forbidden",
        `token "${match.name}" has role ${match.role}; this needs ${minimum}`,
      );
    }
    c.set("caller", { name: match.name, role: match.role, scopes: match.scopes });
    await next();
  });
}
