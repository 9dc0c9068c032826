import type { ErrorCode } from "@kubernaut/http";
import fc from "fast-check";
import type { Hono } from "hono";
import { expect } from "vitest";
import { ADMIN_TOKEN, VIEWER_TOKEN, WEBHOOK_TOKEN } from "../../support/store";
import type { TableWatch } from "./table";

/** One generated request and what the API must answer to it. */
export interface FuzzCase {
  /** What was wrong with the request, for the counterexample report. */
  problem: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  expect: {
    status: number;
    /** The error code of a 4xx answer (DESIGN §9: `{error: {code, message}}`). */
    code?: ErrorCode;
    /** What the error message must name: the field, the header, the id. */
    mentions?: string | RegExp;
    /** The one system audit event this refusal writes (DESIGN §4), if any. */
    audit?: string;
    /** Further checks on a JSON answer (e.g. the per-alert answers of an accepted webhook). */
    body?: (body: unknown) => void;
  };
}

/**
 * Sends a generated request and checks the answer: never a 5xx, exactly the expected status, an error
 * body naming the problem, and — the table scanned before and after — no write but the system audit
 * event DESIGN §4 asks for.
 */
export async function checkCase(app: Hono, watch: TableWatch, c: FuzzCase): Promise<void> {
  const response = await app.request(c.path, {
    method: c.method,
    headers: c.headers ?? {},
    ...(c.body === undefined ? {} : { body: c.body }),
  });
  const text = await response.text();
  const context = `${c.problem}: ${c.method} ${c.path} → ${response.status} ${text.slice(0, 300)}`;
  expect(response.status, context).toBeLessThan(500);
  expect(response.status, context).toBe(c.expect.status);
  if (response.status >= 400) {
    const { error } = JSON.parse(text) as { error: { code: string; message: string } };
    if (c.expect.code) expect(error.code, context).toBe(c.expect.code);
    expect(error.message, context).toMatch(/\S/);
    if (typeof c.expect.mentions === "string") expect(error.message, context).toContain(c.expect.mentions);
    else if (c.expect.mentions) expect(error.message, context).toMatch(c.expect.mentions);
  }
  c.expect.body?.(JSON.parse(text));
  const changes = await watch.changes();
  expect(changes.other.map(describeChange), `${context}: wrote to the table`).toEqual([]);
  // Not even an attempt: the only write a refusal may send is its system audit append.
  const writes = changes.writes.filter((w) => !w.partitions.every((pk) => pk.startsWith("AUDIT#SYSTEM#")));
  expect(writes, `${context}: sent writes`).toEqual([]);
  expect(changes.writes.length > 0, `${context}: audit write sent`).toBe(c.expect.audit !== undefined);
  expect(
    changes.systemAudit.map((event) => event.type),
    `${context}: system audit`,
  ).toEqual(c.expect.audit ? [c.expect.audit] : []);
  watch.acceptSystemAudit(changes.systemAudit);
}

/** A changed item as `key: attributes that differ`, so a failure says what was written. */
function describeChange(change: Awaited<ReturnType<TableWatch["changes"]>>["other"][number]): string {
  const before = change.before ?? {};
  const after = change.after ?? {};
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]),
  );
  const what = change.before ? (change.after ? "changed" : "removed") : "added";
  return `${change.key} ${what}: ${names.map((n) => `${n}=${JSON.stringify(after[n] ?? null)?.slice(0, 80)}`).join(", ")}`;
}

// ---------------------------------------------------------------------------------------------------
// Generators shared by the route properties

/** Header-safe printable text (what a client can actually put in a header). */
export const headerText = fc.stringMatching(/^[\x21-\x7e]{1,40}$/);

/** A query string of unknown keys and values, percent-encoded as a client would. */
export const randomQuery = fc
  .dictionary(fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,10}$/), fc.string({ maxLength: 20 }), { maxKeys: 4 })
  .map((query) => {
    const text = new URLSearchParams(query).toString();
    return text ? `?${text}` : "";
  });

/** A path segment as a client would send it (encoded; never "." or "..", which URLs normalise away). */
export const segment = (value: fc.Arbitrary<string>) =>
  value.filter((s) => s.length > 0 && !/^\.+$/.test(s)).map((s) => encodeURIComponent(s));

/** Any JSON value that is not an object: the shape every JSON route refuses first. */
export const nonObjectJson = fc.oneof(
  fc.integer(),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
);

/** A body that is not JSON at all (truncated JSON, plain words). */
export const notJson = fc
  .oneof(
    fc.string({ maxLength: 40 }).map((s) => `{"${s}`),
    fc.stringMatching(/^[a-z ]{1,30}$/).map((s) => `x${s}`),
  )
  .filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  });

export interface Credentials {
  headers: Record<string, string>;
  expect: FuzzCase["expect"];
  problem: string;
}

/** Requests without a usable API token: 401, and nothing written (DESIGN §9). */
export const unauthenticated: fc.Arbitrary<Credentials> = fc.oneof(
  fc.constant({
    problem: "no Authorization header",
    headers: {},
    expect: { status: 401, code: "unauthorized" as const, mentions: "missing bearer token" },
  }),
  headerText.map((token) => ({
    problem: "a Basic credential",
    headers: { authorization: `Basic ${token}` },
    expect: { status: 401, code: "unauthorized" as const, mentions: "missing bearer token" },
  })),
  fc.oneof(headerText, fc.constant(WEBHOOK_TOKEN)).map((token) => ({
    problem: "an unknown bearer token",
    headers: { authorization: `Bearer ${token}` },
    expect: { status: 401, code: "unauthorized" as const, mentions: "invalid API token" },
  })),
);

/** A valid token whose role is below what the route needs: 403 naming both roles. */
export function underprivileged(
  needs: "approver" | "admin",
  approverToken: string,
): fc.Arbitrary<Credentials> {
  const tokens = needs === "admin" ? [VIEWER_TOKEN, approverToken] : [VIEWER_TOKEN];
  return fc.constantFrom(...tokens).map((token) => ({
    problem: `a token below ${needs}`,
    headers: { authorization: `Bearer ${token}` },
    expect: { status: 403, code: "forbidden" as const, mentions: `this needs ${needs}` },
  }));
}

/** Either kind of refused caller for a route that needs `needs`. */
export function refusedCaller(needs: "viewer" | "approver" | "admin", approverToken: string) {
  return needs === "viewer"
    ? unauthenticated
    : fc.oneof(unauthenticated, underprivileged(needs, approverToken));
}

export const bearer = (token: string = ADMIN_TOKEN) => ({ authorization: `Bearer ${token}` });
export const json = (token: string = ADMIN_TOKEN) => ({
  ...bearer(token),
  "content-type": "application/json",
});
