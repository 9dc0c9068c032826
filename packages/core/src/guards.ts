import type { RemediationRequest } from "./remediation";

export interface RoutingSettings {
  consecutiveFailureThreshold: number;
  consecutiveFailureCooldown: number;
  recentlyRemediatedCooldown: number;
  exponentialBackoffBase: number;
  exponentialBackoffMax: number;
  ineffectiveChain: { consecutive: number; withinWindow: number; window: number };
}

export type GuardReason = "ConsecutiveFailures" | "Backoff" | "RecentlyRemediated" | "IneffectiveChain";

export type GuardDecision =
  | { blocked: false }
  | { blocked: true; reason: GuardReason; until: string; detail: string; manualReview: boolean };

type Past = Pick<
  RemediationRequest,
  | "id"
  | "phase"
  | "outcome"
  | "failurePhase"
  | "completedAt"
  | "updatedAt"
  | "executingAt"
  | "workflowExecution"
>;

const failedByPipeline = (rr: Past) => rr.phase === "Failed" && rr.failurePhase !== "Approval";

/**
 * Kubernaut's routing guards (DESIGN §3), as a pure function of the fingerprint's earlier remediations
 * (newest first). In order: an ineffective chain (the same spec state remediated again and again, or too
 * many executions in the window) needs a human; consecutive failures block for the cooldown; after a
 * failure, exponential backoff (base doubling, capped); the same workflow on the same target within the
 * cooldown is RecentlyRemediated.
 */
export function evaluateGuards(
  history: readonly Past[],
  workflowId: string | undefined,
  now: Date,
  settings: RoutingSettings,
): GuardDecision {
  const t = now.getTime();
  const at = (rr: Past) => Date.parse(rr.completedAt ?? rr.updatedAt);
  const until = (ms: number) => new Date(ms).toISOString();

  const executed = history.filter((rr) => rr.workflowExecution?.preHash);
  const chain = executed.slice(0, settings.ineffectiveChain.consecutive);
  const samePreState =
    chain.length >= settings.ineffectiveChain.consecutive &&
    chain.every((rr) => rr.workflowExecution?.preHash === chain[0]?.workflowExecution?.preHash);
  const inWindow = executed.filter(
    (rr) => rr.executingAt && t - Date.parse(rr.executingAt) <= settings.ineffectiveChain.window,
  );
  if (samePreState || inWindow.length >= settings.ineffectiveChain.withinWindow) {
    return {
      blocked: true,
      reason: "IneffectiveChain",
      until: until(t + settings.consecutiveFailureCooldown),
      detail: samePreState
        ? `${chain.length} consecutive remediations started from the same spec state: each fix was undone`
        : `${inWindow.length} executions within ${Math.round(settings.ineffectiveChain.window / 60_000)} min`,
      manualReview: true,
    };
  }

  let failures = 0;
  for (const rr of history) {
    if (failedByPipeline(rr)) failures++;
    else if (rr.phase === "Completed" || rr.phase === "Verifying") break;
  }
  const lastFailure = history.find(failedByPipeline);
  if (
    failures >= settings.consecutiveFailureThreshold &&
    lastFailure &&
    t < at(lastFailure) + settings.consecutiveFailureCooldown
  ) {
    return {
      blocked: true,
      reason: "ConsecutiveFailures",
      until: until(at(lastFailure) + settings.consecutiveFailureCooldown),
      detail: `${failures} consecutive failures`,
      manualReview: false,
    };
  }
  if (failures > 0 && lastFailure && history[0] === lastFailure) {
    const backoff = Math.min(
      settings.exponentialBackoffBase * 2 ** (failures - 1),
      settings.exponentialBackoffMax,
    );
    if (t < at(lastFailure) + backoff) {
      return {
        blocked: true,
        reason: "Backoff",
        until: until(at(lastFailure) + backoff),
        detail: `backing off ${Math.round(backoff / 1000)} s after ${failures} failure(s)`,
        manualReview: false,
      };
    }
  }

  const recent = history.find(
    (rr) =>
      rr.workflowExecution?.workflowId === workflowId &&
      rr.executingAt &&
      t - Date.parse(rr.executingAt) < settings.recentlyRemediatedCooldown,
  );
  if (workflowId && recent?.executingAt) {
    return {
      blocked: true,
      reason: "RecentlyRemediated",
      until: until(Date.parse(recent.executingAt) + settings.recentlyRemediatedCooldown),
      detail: `${workflowId} ran on this target at ${recent.executingAt}`,
      manualReview: false,
    };
  }
  return { blocked: false };
}
