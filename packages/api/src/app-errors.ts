import { ApiError, errorResponse } from "@kubernaut/http";
import { IngestContentionError, IntakeUnavailableError } from "@kubernaut/ingest";
import { isTransientError } from "@kubernaut/store";
import { logger } from "@kubernaut/telemetry";
import type { Hono } from "hono";
import { HTTPException } from "hono/http-exception";

/**
 * One error policy for every route group: known errors keep their status; transient faults are 503 so
 * callers (Alertmanager above all) retry; anything else is a 500 that is logged, never leaked.
 */
export function withErrorHandling(app: Hono): void {
  app.notFound((c) => errorResponse(c, 404, "not_found", `no route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error.status, error.code, error.message);
    if (error instanceof IntakeUnavailableError) return errorResponse(c, 503, "unavailable", error.message);
    if (error instanceof HTTPException)
      return errorResponse(c, error.status, "invalid_request", error.message);
    if (isTransientError(error) || error instanceof IngestContentionError) {
      logger.warn("transient failure; answering 503", { error, path: c.req.path });
      c.header("Retry-After", "5");
      return errorResponse(c, 503, "unavailable", "a dependency is temporarily unavailable; retry");
    }
    logger.error("unhandled error", { error, path: c.req.path });
    return errorResponse(c, 500, "internal", "internal error");
  });
}
