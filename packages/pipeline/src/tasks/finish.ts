import { isTerminal, type Outcome, type Phase } from "@kubernaut/core";
import { notificationIdFor } from "@kubernaut/notify";
import { approvalIdFor, epochSeconds, leaseKey } from "@kubernaut/store";
import { metrics } from "@kubernaut/telemetry";
import { z } from "zod";
import { FINISH_RESULTS } from "../definition";
import { workflowById } from "./catalog";
import { PIPELINE_ACTOR, type PipelineDeps } from "./deps";
import { describeError, dryRunOverride, endingOf, StepError } from "./ending";
import { loadRemediation } from "./load";
import { messages } from "./messages";

/**
 * Ends a remediation on one of the state machine's terminal paths: endingOf decides how, this writes it
 * (the hold, the approval request's expiry, the trust statistics, the lease, the phase), counts it and
 * notifies. The hold goes in first, so a crash between the two writes leaves a held fingerprint (safe)
 * rather than a finished remediation whose fingerprint is open too early. An already-terminal
 * remediation is left as it is (a retried finish).
 */
export async function finish(
  deps: PipelineDeps,
  remediationId: string,
  rawResult: unknown,
  rawError: unknown,
): Promise<{ phase: Phase; outcome?: Outcome }> {
  const result = z.enum(FINISH_RESULTS).parse(rawResult);
  const error = StepError.parse(rawError);
  const rr = await loadRemediation(deps, remediationId);
  if (isTerminal(rr.phase)) return { phase: rr.phase, ...(rr.outcome ? { outcome: rr.outcome } : {}) };
  const cause = describeError(error);
  const override = dryRunOverride(result, error, rr);
  const chosen = override ? await workflowById(deps, override.workflowName) : undefined;
  const analysed =
    result === "DryRun" && !override ? await workflowById(deps, rr.analysis?.workflowId) : undefined;
  const ending = endingOf({ result, error, rr, config: deps.config(), chosen, analysed, clock: Date.now() });

  const now = deps.now?.() ?? new Date();
  if (result === "Expired") {
    // The request's own record says so too, and there is nothing to deliver to a finished wait.
    const id = approvalIdFor(remediationId);
    const expired = await deps.approvals.decide(id, {
      decision: "Expired",
      decidedBy: "system",
      decidedVia: "pipeline",
      at: now,
    });
    if (expired) await deps.approvals.markDelivered(id, now, "expired: requiredBy passed without a decision");
  }
  if (ending.hold) {
    await deps.store.putHold(rr.fingerprint, {
      kind: ending.hold.kind,
      reason: ending.outcome ?? ending.reason,
      expiresAt: epochSeconds(new Date(now.getTime() + ending.hold.forMs)),
      remediationId,
    });
  }
  if (result === "Rejected" && rr.analysis?.workflowId) {
    await deps.trust
      .count(rr.analysis.workflowId, { rejections: 1 }, { approvalsInRow: "reset" })
      .catch(() => undefined);
  }
  // Whatever ended it, the target is free again.
  await deps.leases.release(leaseKey(rr.targetResource), remediationId);
  const finished = await deps.store.transition(
    remediationId,
    {
      to: ending.phase,
      reason: ending.reason,
      ...(ending.outcome ? { outcome: ending.outcome } : {}),
      ...(ending.failurePhase ? { failurePhase: ending.failurePhase } : {}),
      ...(ending.set ? { set: ending.set } : {}),
    },
    PIPELINE_ACTOR,
    cause ? { error: cause } : undefined,
  );
  metrics.inc(
    "kubernaut_remediationorchestrator_remediations_completed_total",
    "Remediations that reached a terminal phase",
    {
      phase: ending.phase,
      outcome: ending.outcome ?? "none",
    },
  );
  if (ending.phase === "Blocked") {
    metrics.inc("kubernaut_remediationorchestrator_blocked_total", "Remediations blocked, by reason", {
      reason:
        (error?.Error === "ResourceBusy" || error?.Error === "Paused" ? error.Error : rr.guard?.reason) ??
        "Guard",
    });
  }
  await deps.notifier.notify(
    result === "DryRun"
      ? { type: "DryRun", remediation: finished, ...messages.dryRun(finished) }
      : result === "ManualReview"
        ? {
            type: "ManualReview",
            remediation: finished,
            ...messages.manualReview(finished, ending.reason),
            // A failed alignment check is critical: the agent's choice contradicted the evidence.
            ...(finished.analysis && !finished.analysis.aligned && finished.analysis.workflowId
              ? { priority: "Critical" as const }
              : {}),
          }
        : {
            type: "StatusUpdate",
            remediation: finished,
            ...messages.statusUpdate(finished, ending.phase, ending.reason),
            key: result,
            // An expired approval request's message is rewritten to say so (and loses its buttons).
            ...(result === "Expired" ? { replaces: notificationIdFor(finished.id, "Approval") } : {}),
          },
  );
  return { phase: ending.phase, ...(ending.outcome ? { outcome: ending.outcome } : {}) };
}
