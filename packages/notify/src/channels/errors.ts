/**
 * How a delivery failed decides what happens next: transient → the notify state machine's Retry
 * (backoff with jitter) and a strike on the breaker; rate limited → wait `Retry-After` and try again;
 * permanent (a 4xx other than 429, a bad channel) → straight to the dead letters, no retry.
 */
export class DeliveryError extends Error {
  constructor(
    readonly kind: "transient" | "permanent" | "rateLimited",
    message: string,
    readonly status?: number,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name =
      kind === "transient"
        ? "TransientDeliveryError"
        : kind === "permanent"
          ? "PermanentDeliveryError"
          : "RateLimited";
  }
}

/** Classifies an HTTP status the way every channel does. */
export function errorForStatus(status: number, detail: string, retryAfter?: string | null): DeliveryError {
  if (status === 429)
    return new DeliveryError("rateLimited", `429 rate limited: ${detail}`, 429, parseRetryAfter(retryAfter));
  if (status >= 400 && status < 500) return new DeliveryError("permanent", `${status}: ${detail}`, status);
  return new DeliveryError("transient", `${status}: ${detail}`, status);
}

/** `Retry-After` in seconds or as an HTTP date; absent or unreadable → 30 s. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number {
  if (!value) return 30;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - now) / 1000)) : 30;
}
