import { randomBytes } from "node:crypto";
import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import type { CookieOptions } from "hono/utils/cookie";
import { z } from "zod";
import { BASE } from "../deps";

export const SESSION_COOKIE = "kubernaut_console";

/**
 * A sign-in. The cookie is signed, not encrypted, so it holds nothing secret: for a token sign-in only
 * the token's SHA-256 (what the configuration holds anyway), looked up again on every request so that
 * removing a token from the configuration ends its sessions at once.
 */
export const Session = z
  .object({
    v: z.literal(1),
    who: z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("token"), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
      z
        .object({
          kind: z.literal("oidc"),
          name: z.string().min(1).max(320),
          email: z.string().max(320).optional(),
          groups: z.array(z.string().max(256)).max(200),
        })
        .strict(),
    ]),
    /** The per-session CSRF token every form carries. */
    csrf: z.string().min(32),
    /** Expiry in epoch seconds, inside the signature: a replayed old cookie is refused whatever its Max-Age said. */
    exp: z.number().int(),
  })
  .strict();
export type Session = z.infer<typeof Session>;
export type SessionSubject = Session["who"];

export function newCsrfToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * HttpOnly (scripts cannot read it), SameSite=Lax (a link from Slack still opens the console signed in,
 * but no other site's form post carries it), Secure whenever the console is reached over HTTPS, and
 * scoped to the console's path.
 */
export function cookieOptions(c: Context, maxAgeSeconds: number, path = BASE): CookieOptions {
  return {
    path,
    httpOnly: true,
    sameSite: "Lax",
    secure: isHttps(c),
    maxAge: maxAgeSeconds,
  };
}

function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https";
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function decode(value: string): unknown {
  try {
    return JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

/** The session a request carries, if its signature holds and it has not expired. */
export async function readSession(c: Context, secret: string, now: Date): Promise<Session | undefined> {
  const raw = await getSignedCookie(c, secret, SESSION_COOKIE);
  if (!raw) return undefined;
  const parsed = Session.safeParse(decode(raw));
  if (!parsed.success || parsed.data.exp * 1000 <= now.getTime()) return undefined;
  return parsed.data;
}

export async function startSession(
  c: Context,
  settings: { sessionSecret: string; sessionMaxAgeSeconds: number },
  who: SessionSubject,
  now: Date,
): Promise<Session> {
  const session: Session = {
    v: 1,
    who,
    csrf: newCsrfToken(),
    exp: Math.floor(now.getTime() / 1000) + settings.sessionMaxAgeSeconds,
  };
  await setSignedCookie(
    c,
    SESSION_COOKIE,
    encode(session),
    settings.sessionSecret,
    cookieOptions(c, settings.sessionMaxAgeSeconds),
  );
  return session;
}

export function endSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: BASE, secure: isHttps(c) });
}

/** A short-lived signed value of the console's own (the sign-in form's CSRF token, the OIDC round trip). */
export async function setSignedValue(
  c: Context,
  name: string,
  value: unknown,
  secret: string,
  maxAgeSeconds: number,
  path = BASE,
): Promise<void> {
  await setSignedCookie(c, name, encode(value), secret, cookieOptions(c, maxAgeSeconds, path));
}

export async function readSignedValue(c: Context, name: string, secret: string): Promise<unknown> {
  const raw = await getSignedCookie(c, secret, name);
  return raw ? decode(raw) : undefined;
}

export function clearValue(c: Context, name: string, path = BASE): void {
  deleteCookie(c, name, { path, secure: isHttps(c) });
}
