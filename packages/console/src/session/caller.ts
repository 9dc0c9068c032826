import { createHash } from "node:crypto";
import type { ApiTokenConfig } from "@kubernaut/config";
import type { Caller } from "@kubernaut/http";
import type { OidcSettings } from "../settings";
import type { SessionSubject } from "./cookie";

/** Viewers read through the API; the console is for people who decide (DESIGN §9 roles). */
const CONSOLE_ROLES = new Set(["approver", "admin"]);

export function tokenHash(token: string): string {
  return createHash("sha256").update(token.trim()).digest("hex");
}

export type TokenSignIn =
  | { ok: true; subject: SessionSubject; caller: Caller }
  | { ok: false; status: 401 | 403; message: string };

/**
 * Checks a pasted API token the way `apiAuth` does: by its SHA-256 against the configured hashes
 * (the attacker controls the token, not its hash, so the lookup leaks nothing through timing).
 */
export function signInWithToken(token: string, tokens: readonly ApiTokenConfig[]): TokenSignIn {
  if (!token.trim()) return { ok: false, status: 401, message: "Paste an API token." };
  const sha256 = tokenHash(token);
  const match = tokens.find((t) => t.sha256 === sha256);
  if (!match) return { ok: false, status: 401, message: "That token is not valid here." };
  if (!CONSOLE_ROLES.has(match.role)) {
    return {
      ok: false,
      status: 403,
      message: `Token "${match.name}" has role ${match.role}; the console needs an approver or admin token.`,
    };
  }
  return {
    ok: true,
    subject: { kind: "token", sha256 },
    caller: { name: match.name, role: match.role, scopes: match.scopes },
  };
}

/**
 * Who a session speaks for now. A token session is looked up again in the current configuration and an
 * identity-provider session mapped again through the current role mappings, so revoking a token or
 * changing a mapping takes effect on the next click, not when the cookie expires.
 */
export function callerFor(
  subject: SessionSubject,
  tokens: readonly ApiTokenConfig[],
  oidc: OidcSettings | undefined,
): Caller | undefined {
  if (subject.kind === "token") {
    const match = tokens.find((t) => t.sha256 === subject.sha256);
    return match && CONSOLE_ROLES.has(match.role)
      ? { name: match.name, role: match.role, scopes: match.scopes }
      : undefined;
  }
  if (!oidc) return undefined;
  return oidcCaller(subject, oidc);
}

/** The first mapping naming the person's e-mail or one of their groups decides role and scopes. */
export function oidcCaller(
  who: { name: string; email?: string | undefined; groups: readonly string[] },
  oidc: OidcSettings,
): Caller | undefined {
  const email = who.email?.toLowerCase();
  const mapping = oidc.roles.find(
    (m) =>
      (email !== undefined && m.emails.some((e) => e.toLowerCase() === email)) ||
      m.groups.some((g) => who.groups.includes(g)),
  );
  return mapping ? { name: who.name, role: mapping.role, scopes: mapping.scopes } : undefined;
}
