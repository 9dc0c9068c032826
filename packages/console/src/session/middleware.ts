import { timingSafeEqual } from "node:crypto";
import { ApiError, type Caller } from "@kubernaut/http";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { BASE, type ConsoleDeps, type ConsoleEnv } from "../deps";
import { callerFor } from "./caller";
import { readSession, type Session } from "./cookie";

export const CSRF_FIELD = "_csrf";

/** Loads the session and the caller it speaks for on every console request. */
export function loadSession(deps: ConsoleDeps) {
  return createMiddleware<ConsoleEnv>(async (c, next) => {
    const now = deps.now?.() ?? new Date();
    const session = await readSession(c, deps.settings.sessionSecret, now);
    const caller = session
      ? callerFor(session.who, deps.decisions.config().auth.apiTokens, deps.settings.oidc)
      : undefined;
    c.set("session", caller ? session : undefined);
    c.set("caller", caller);
    await next();
  });
}

/** Pages need a signed-in approver or admin; anyone else is sent to sign in and brought back after. */
export const requireSignIn = createMiddleware<ConsoleEnv>(async (c, next) => {
  if (c.get("caller")) return next();
  const back = c.req.method === "GET" ? c.req.path + new URL(c.req.url).search : `${BASE}/approvals`;
  return c.redirect(`${BASE}/sign-in?next=${encodeURIComponent(back)}`, 303);
});

export function signedIn(c: Context<ConsoleEnv>): { caller: Caller; session: Session } {
  const caller = c.get("caller");
  const session = c.get("session");
  if (!caller || !session) throw new ApiError(401, "unauthorized", "sign in first");
  return { caller, session };
}

export function csrfMatches(expected: string, given: unknown): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Every state-changing form carries the session's CSRF token. SameSite=Lax already keeps other sites'
 * posts from carrying the cookie; the token also covers older browsers and same-site subdomains.
 */
export const requireCsrf = createMiddleware<ConsoleEnv>(async (c, next) => {
  const { session } = signedIn(c);
  const form = await c.req.parseBody();
  if (!csrfMatches(session.csrf, form[CSRF_FIELD])) {
    throw new ApiError(
      403,
      "forbidden",
      "This form expired or did not come from this console; nothing was changed. Reload the page and try again.",
    );
  }
  await next();
});

export const requireAdmin = createMiddleware<ConsoleEnv>(async (c, next) => {
  const { caller } = signedIn(c);
  if (caller.role !== "admin") {
    throw new ApiError(
      403,
      "forbidden",
      `${caller.name} (${caller.role}) may not do this; it needs an admin.`,
    );
  }
  await next();
});

/** Where to go after signing in: only a path inside the console, never another site. */
export function safeNext(next: string | undefined): string {
  if (!next?.startsWith(`${BASE}/`) || next.includes("\\")) {
    return `${BASE}/approvals`;
  }
  return next;
}
