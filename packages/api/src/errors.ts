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
