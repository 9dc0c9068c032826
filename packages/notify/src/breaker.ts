/** A channel's circuit breaker as stored in DynamoDB, shared by every container. */
export interface BreakerState {
  state: "closed" | "open" | "halfOpen";
  consecutiveFailures: number;
  /** Epoch ms until which an open breaker rejects. */
  openUntil?: number;
  /** Epoch ms when the half-open probe was claimed; a probe older than the open period is presumed lost. */
  probeStartedAt?: number;
}

export interface BreakerSettings {
  failureThreshold: number;
  openForMs: number;
}

export const CLOSED: BreakerState = { state: "closed", consecutiveFailures: 0 };

export type Admission = { admit: true; probe: boolean } | { admit: false; retryAt: number };

/**
 * Whether a delivery may try the channel (DESIGN §8: open after 3 consecutive failures for 30 s, then a
 * half-open probe). While open it rejects; once the open period has passed one caller claims the probe
 * and everyone else keeps being rejected until the probe reports.
 */
export function admit(current: BreakerState, now: number, settings: BreakerSettings): Admission {
  switch (current.state) {
    case "closed":
      return { admit: true, probe: false };
    case "open":
      if (now < (current.openUntil ?? 0)) return { admit: false, retryAt: current.openUntil ?? now };
      return { admit: true, probe: true };
    case "halfOpen": {
      const lost = now - (current.probeStartedAt ?? 0) >= settings.openForMs;
      return lost
        ? { admit: true, probe: true }
        : { admit: false, retryAt: (current.probeStartedAt ?? now) + settings.openForMs };
    }
  }
}

/** The state after a delivery: success closes; a failure counts, and trips at the threshold or on a failed probe. */
export function afterAttempt(
  current: BreakerState,
  outcome: "success" | "failure",
  now: number,
  settings: BreakerSettings,
): BreakerState {
  if (outcome === "success") return CLOSED;
  const consecutiveFailures = current.consecutiveFailures + 1;
  if (current.state === "halfOpen" || consecutiveFailures >= settings.failureThreshold) {
    return { state: "open", consecutiveFailures, openUntil: now + settings.openForMs };
  }
  return { state: "closed", consecutiveFailures };
}

/** 0 closed, 1 open, 2 half-open: Kubernaut's kubernaut_notification_channel_circuit_breaker_state. */
export function breakerGauge(state: BreakerState["state"]): number {
  return state === "closed" ? 0 : state === "open" ? 1 : 2;
}
