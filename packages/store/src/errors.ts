/**
 * Errors a caller may retry: throttling, a busy partition, a service hiccup or the network. The SDK has
 * already retried these with backoff by the time we see them, so the HTTP layer answers 503 and lets
 * Alertmanager retry the delivery (it retries 5xx, never 4xx).
 */
const TRANSIENT = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "InternalServerError",
  "ServiceUnavailable",
  "TransactionInProgressException",
  "LimitExceededException",
  "TimeoutError",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
]);

export function isTransientError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const meta = (error as { $metadata?: { httpStatusCode?: number }; code?: string }).$metadata;
  if (meta?.httpStatusCode !== undefined && meta.httpStatusCode >= 500) return true;
  const code = (error as { code?: string }).code;
  return TRANSIENT.has(error.name) || (code !== undefined && TRANSIENT.has(code));
}

/** A conditional write lost a race; the caller re-reads and decides again. */
export class ConcurrentUpdateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConcurrentUpdateError";
  }
}
