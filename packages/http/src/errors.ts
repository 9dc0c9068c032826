import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";

export type ErrorCode =
  | "invalid_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "policy_denied"
  | "payload_too_large"
  | "unavailable"
  | "not_implemented"
  | "internal";

/** An error the API answers as `{error: {code, message}}` with its status; thrown from anywhere in a route. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function errorResponse(c: Context, status: ContentfulStatusCode, code: ErrorCode, message: string) {
  return c.json({ error: { code, message } }, status);
}

/**
 * Validates input at the edge. The message names the first failing field by its path (e.g.
 * `alerts[0].startsAt`), which is what an operator needs to fix an Alertmanager template.
 */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 5).map((issue) => {
    const field = formatPath(issue.path);
    return field ? `${field}: ${issue.message}` : issue.message;
  });
  throw new ApiError(400, "invalid_request", `invalid ${what}: ${problems.join("; ")}`);
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`))
    .join("");
}

/** A request body as read for validation: its JSON, or what is wrong with it. */
export type JsonBody = { ok: true; value: unknown } | { ok: false; problem: string };

/** What a route expects, with an example an operator can paste into curl -d. */
export function expectedBody(example: unknown): string {
  return `expected a JSON body (Content-Type: application/json) like ${JSON.stringify(example)}`;
}

/** Reads the body as JSON; an empty or unparsable body is a problem in words, not an exception. */
export async function readJsonBody(c: Context): Promise<JsonBody> {
  const text = await c.req.text();
  if (text.trim() === "") return { ok: false, problem: "the request has no body" };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, problem: `the body is not valid JSON (${(error as Error).message})` };
  }
}

/** An already-parsed body (undefined when the caller found none). */
export const jsonBody = (value: unknown): JsonBody =>
  value === undefined ? { ok: false, problem: "the request has no JSON body" } : { ok: true, value };

/**
 * Validates a request body. A missing, unparsable or wrongly shaped body (not an object, unknown
 * top-level keys) is answered with the body the route expects and an example, since "expected object,
 * received undefined" tells nobody what to send; a field-level problem names the field as usual.
 */
export function parseBody<T extends z.ZodType>(
  schema: T,
  body: JsonBody,
  what: string,
  example: unknown,
): z.output<T> {
  if (!body.ok)
    throw new ApiError(400, "invalid_request", `invalid ${what}: ${body.problem}; ${expectedBody(example)}`);
  const result = schema.safeParse(body.value);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 5).map((issue) => {
    const field = formatPath(issue.path);
    return field ? `${field}: ${issue.message}` : issue.message;
  });
  const atRoot = result.error.issues.some((issue) => issue.path.length === 0);
  throw new ApiError(
    400,
    "invalid_request",
    `invalid ${what}: ${problems.join("; ")}${atRoot ? `; ${expectedBody(example)}` : ""}`,
  );
}
