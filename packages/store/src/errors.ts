import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";

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

/**
 * A conditional write's condition did not hold (`ConditionalCheckFailedException`): the item exists
 * already, or moved on since it was read. Callers treat it as an answer, not a fault.
 */
export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/**
 * A transaction was cancelled because one of its conditions failed (or, with `conflicts`, because
 * another transaction was writing the same item): the TransactWriteItems form of a lost race.
 */
export function isCancelledByCondition(error: unknown, options: { conflicts?: boolean } = {}): boolean {
  if (!(error instanceof TransactionCanceledException)) return false;
  return (error.CancellationReasons ?? []).some(
    (reason) =>
      reason.Code === "ConditionalCheckFailed" ||
      (options.conflicts === true && reason.Code === "TransactionConflict"),
  );
}

/**
 * An item written alongside a remediation's change had its condition fail, so the whole transaction was
 * cancelled and nothing was written. `index` is its position in the `alongside` list: the caller knows
 * what each condition stands for (a claim lost, a record missing) and decides what to do.
 */
export class AlongsideConditionFailedError extends Error {
  constructor(readonly index: number) {
    super(`the item at ${index} written alongside the remediation failed its condition; nothing was written`);
    this.name = "AlongsideConditionFailedError";
  }
}
