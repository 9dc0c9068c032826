import type { Config, ReceiverConfig } from "@kubernaut/config";
import { logger, metrics } from "@kubernaut/telemetry";
import { z } from "zod";
import { admit, afterAttempt, type BreakerSettings, breakerGauge } from "./breaker";
import type { Channel } from "./channels/channel";
import { DeliveryError } from "./channels/errors";
import type { BreakerStore, NotificationStore } from "./records";

export interface DeliverDeps {
  config: () => Config;
  notifications: NotificationStore;
  breakers: BreakerStore;
  /** The channels this function carries; the notify machine's deliver function carries them all. */
  channels: Partial<Record<ReceiverConfig["type"], Channel>>;
  now?: () => number;
}

export type DeliverResult =
  | { outcome: "delivered" }
  | { outcome: "rateLimited"; retryAfterSeconds: number }
  | { outcome: "breakerOpen"; fallback: string; hop: number };

const DeliverInput = z.object({
  notificationId: z.string(),
  receiver: z.string(),
  hop: z.number().int().min(0).default(0),
});
/** Fallback hops before the log takes over: receivers may fall back to each other, but not forever. */
const MAX_HOPS = 3;

const ATTEMPTS = "kubernaut_notification_delivery_attempts_total";
const ATTEMPTS_HELP = "Notification delivery attempts by channel and status";
const BREAKER = "kubernaut_notification_channel_circuit_breaker_state";
const BREAKER_HELP = "Circuit breaker state per channel: 0 closed, 1 open, 2 half-open";

/**
 * One delivery attempt of one notification to one receiver (the notify machine's Deliver task).
 * Transient failures throw for the state machine's Retry; permanent ones throw past it into the dead
 * letters; a 429 and an open breaker are answers, not errors, so the machine can wait or fall back.
 */
export async function deliver(deps: DeliverDeps, rawInput: unknown): Promise<DeliverResult> {
  const input = DeliverInput.parse(rawInput);
  const config = deps.config();
  const now = () => deps.now?.() ?? Date.now();
  const at = () => new Date(now()).toISOString();
  const notification = await deps.notifications.get(input.notificationId);
  if (!notification)
    throw new DeliveryError("permanent", `notification ${input.notificationId} does not exist`);
  const existing = await deps.notifications.delivery(input.notificationId, input.receiver);
  if (existing?.status === "Delivered") return { outcome: "delivered" };
  const receiver = config.notification.receivers.find((r) => r.name === input.receiver);
  if (!receiver) throw new DeliveryError("permanent", `receiver ${input.receiver} is not configured`);
  if ((existing?.attempts.length ?? 0) >= config.notification.retry.maxAttempts * 2) {
    throw new DeliveryError("permanent", `gave up after ${existing?.attempts.length} attempts`);
  }

  const channel = deps.channels[receiver.type];
  if (!channel) throw new DeliveryError("permanent", `this function carries no ${receiver.type} channel`);

  const settings: BreakerSettings = {
    failureThreshold: config.notification.circuitBreaker.failureThreshold,
    openForMs: config.notification.circuitBreaker.openFor,
  };
  // The log is the last resort: it has no breaker.
  const guarded = receiver.type !== "log";
  if (guarded) {
    const admission = await claimAdmission(deps.breakers, receiver.name, now(), settings);
    if (!admission) {
      const fallback = input.hop + 1 >= MAX_HOPS ? "log" : (receiver.fallback ?? "log");
      await deps.notifications.recordAttempt(
        input.notificationId,
        receiver.name,
        { at: at(), outcome: "breakerOpen" },
        { status: "FellBack" },
      );
      metrics.inc(ATTEMPTS, ATTEMPTS_HELP, { channel: receiver.name, status: "skipped" });
      logger.warn("circuit breaker open; falling back", {
        receiver: receiver.name,
        fallback,
        notificationId: notification.id,
      });
      return { outcome: "breakerOpen", fallback, hop: input.hop + 1 };
    }
  }

  const slackChannel = notification.deliveries.find((d) => d.receiver === receiver.name)?.channel;
  const original = notification.replaces
    ? await deps.notifications.delivery(notification.replaces, receiver.name)
    : undefined;
  if (original?.status === "Pending") {
    // The message this one rewrites is still on its way: wait for it (Retry) rather than post a second one.
    throw new DeliveryError("transient", `waiting for ${notification.replaces} to be delivered first`);
  }
  try {
    const ref = await channel.deliver(notification, {
      receiver,
      ...(slackChannel ? { channel: slackChannel } : {}),
      ...(original?.ref ? { replaceRef: original.ref } : {}),
    });
    await deps.notifications.recordAttempt(
      input.notificationId,
      receiver.name,
      { at: at(), outcome: "delivered" },
      { status: "Delivered", ref },
    );
    metrics.inc(ATTEMPTS, ATTEMPTS_HELP, { channel: receiver.name, status: "success" });
    if (guarded) await recordBreaker(deps.breakers, receiver.name, "success", now(), settings);
    return { outcome: "delivered" };
  } catch (error) {
    const failure =
      error instanceof DeliveryError ? error : new DeliveryError("transient", (error as Error).message);
    await deps.notifications.recordAttempt(input.notificationId, receiver.name, {
      at: at(),
      outcome: failure.kind === "rateLimited" ? "rateLimited" : "failed",
      error: failure.message,
      ...(failure.status ? { httpStatus: failure.status } : {}),
    });
    metrics.inc(ATTEMPTS, ATTEMPTS_HELP, {
      channel: receiver.name,
      status: failure.kind === "rateLimited" ? "rate_limited" : "failure",
    });
    // Only failures that say something about the channel's health count against its breaker.
    if (guarded && failure.kind === "transient")
      await recordBreaker(deps.breakers, receiver.name, "failure", now(), settings);
    if (failure.kind === "rateLimited")
      return { outcome: "rateLimited", retryAfterSeconds: Math.max(1, failure.retryAfterSeconds ?? 30) };
    // The notifying task's own attempt counts too: `retry.maxAttempts` failures in all, wherever they ran.
    const failures = (existing?.attempts.filter((a) => a.outcome === "failed").length ?? 0) + 1;
    if (failure.kind === "transient" && failures >= config.notification.retry.maxAttempts) {
      throw new DeliveryError(
        "permanent",
        `gave up after ${failures} failed attempts: ${failure.message}`,
        failure.status,
      );
    }
    throw failure;
  }
}

const DeadLetterInput = z.object({
  notificationId: z.string(),
  receiver: z.string(),
  error: z.object({ Error: z.string(), Cause: z.unknown().optional() }).nullish(),
});

/** The notify machine's Catch: the delivery becomes a dead letter, its attempt history kept. */
export async function deadLetter(
  deps: Pick<DeliverDeps, "notifications" | "now">,
  rawInput: unknown,
): Promise<{ deadLetter: true }> {
  const input = DeadLetterInput.parse(rawInput);
  const error = input.error ? `${input.error.Error}: ${describe(input.error.Cause)}` : "unknown error";
  await deps.notifications.recordAttempt(
    input.notificationId,
    input.receiver,
    { at: new Date(deps.now?.() ?? Date.now()).toISOString(), outcome: "failed", error: "dead-lettered" },
    { status: "DeadLetter", error },
  );
  metrics.inc("kubernaut_notification_dead_letters_total", "Notifications that could not be delivered", {
    channel: input.receiver,
  });
  logger.error("notification dead-lettered", {
    notificationId: input.notificationId,
    receiver: input.receiver,
    error,
  });
  return { deadLetter: true };
}

function describe(cause: unknown): string {
  if (typeof cause !== "string") return JSON.stringify(cause ?? null);
  try {
    return (JSON.parse(cause) as { errorMessage?: string }).errorMessage ?? cause;
  } catch {
    return cause;
  }
}

/** Asks the shared breaker for admission, claiming the half-open probe when it is this caller's turn. */
async function claimAdmission(
  store: BreakerStore,
  channel: string,
  now: number,
  settings: BreakerSettings,
): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await store.read(channel);
    const decision = admit(current, now, settings);
    metrics.set(BREAKER, BREAKER_HELP, { channel }, breakerGauge(current.state));
    if (!decision.admit) return false;
    if (!decision.probe) return true;
    const { version, ...state } = current;
    if (await store.write(channel, { ...state, state: "halfOpen", probeStartedAt: now }, version)) {
      metrics.set(BREAKER, BREAKER_HELP, { channel }, breakerGauge("halfOpen"));
      return true;
    }
  }
  return false;
}

async function recordBreaker(
  store: BreakerStore,
  channel: string,
  outcome: "success" | "failure",
  now: number,
  settings: BreakerSettings,
): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const { version, ...current } = await store.read(channel);
    const next = afterAttempt(current, outcome, now, settings);
    if (await store.write(channel, next, version)) {
      metrics.set(BREAKER, BREAKER_HELP, { channel }, breakerGauge(next.state));
      if (next.state === "open" && current.state !== "open")
        logger.warn("circuit breaker opened", { channel });
      return;
    }
  }
}
