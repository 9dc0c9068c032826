import { plannedChange } from "@kubernaut/cluster";
import { dryRunReason, type Hold, isTerminal, type Outcome, type Phase } from "@kubernaut/core";
import { notificationIdFor } from "@kubernaut/notify";
import { approvalIdFor, epochSeconds, leaseKey } from "@kubernaut/store";
import { metrics } from "@kubernaut/telemetry";
import { findWorkflow } from "@kubernaut/workflows";
import { z } from "zod";
import { FINISH_RESULTS } from "../definition";
import { catalogOf } from "./catalog";
import { PIPELINE_ACTOR, type PipelineDeps } from "./deps";
import { loadRemediation } from "./load";
import { messages } from "./messages";

const StepError = z.object({ Error: z.string(), Cause: z.unknown().optional() }).nullish();

interface Ending {
  phase: Phase;
  outcome?: Outcome;
  reason: string;
  failurePhase?: string;
  hold?: { kind: Hold["kind"]; forMs: number };
  set?: Record<string, unknown>;
}

/**
 * Ends a remediation on one of the state machine's terminal paths. The hold goes in first, so a crash
 * between the two writes leaves a held fingerprint (safe) rather than a finished remediation whose
 * fingerprint is open too early. An already-terminal remediation is left as it is (a retried finish).
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
  const config = deps.config();
  const routing = config.remediationOrchestrator.routing;
  const cause = error ? `${error.Error}: ${describeCause(error.Cause)}` : undefined;
  // Routing's dry run is about the analysed workflow; Execute's (ObserveOnly) about the one that would
  // have run, which an operator's override may have changed.
  const override =
    result === "DryRun" && error?.Error === "ObserveOnly" ? rr.approvalDecision?.override : undefined;
  const chosen = override ? findWorkflow(override.workflowName, await catalogOf(deps)) : undefined;

  const ending: Ending = (() => {
    switch (result) {
      case "NoActionRequired":
        return {
          phase: "Completed",
          outcome: "NoActionRequired",
          reason: rr.analysis?.rootCause ?? "not actionable",
        };
      case "Skipped":
        // Outside the managed scope: held so a noisy alert does not create a remediation every minute.
        return {
          phase: "Skipped",
          reason: rr.enrichment?.outOfScope
            ? `NotManaged: ${rr.enrichment.outOfScope}`
            : rr.enrichment?.degraded
              ? `NotManaged: the managed scope could not be decided (${rr.enrichment.degraded})`
              : "NotManaged: neither the target nor its namespace is labelled kubernaut.ai/managed=true",
          hold: { kind: "blocked", forMs: routing.consecutiveFailureCooldown },
        };
      case "ManualReview":
        return {
          phase: "Completed",
          outcome: "ManualReviewRequired",
          reason: manualReviewReason(rr, config.aianalysis.lowConfidenceFloor),
          hold: { kind: "manualReview", forMs: routing.manualReviewHold },
        };
      case "DryRun": {
        const proposal = {
          workflowId: override ? override.workflowName : rr.analysis?.workflowId,
          workflowVersion: chosen?.version ?? (override ? undefined : rr.analysis?.workflowVersion),
          actionType: chosen?.actionType ?? (override ? undefined : rr.analysis?.actionType),
          parameters: (override ? override.parameters : (rr.analysis?.parameters ?? {})) as Record<
            string,
            string | number | boolean
          >,
        };
        return {
          phase: "Completed",
          outcome: "DryRun",
          reason: dryRunReason(config.remediationOrchestrator, {
            workflowId: proposal.workflowId,
            namespace: rr.targetResource.namespace,
          }),
          hold: { kind: "dryRun", forMs: config.remediationOrchestrator.dryRunHoldPeriod },
          set: {
            wouldHaveDone: {
              ...proposal,
              target: rr.targetResource,
              confidence: rr.analysis?.confidence,
              ...(override ? { override } : {}),
              // The patch it would send (Level 1's "what would have been done").
              ...(proposal.actionType
                ? {
                    change: plannedChange({
                      remediationId,
                      actionType: proposal.actionType,
                      changesSpec: true,
                      target: {
                        kind: rr.targetResource.kind,
                        name: rr.targetResource.name,
                        ...(rr.targetResource.namespace ? { namespace: rr.targetResource.namespace } : {}),
                      },
                      parameters: proposal.parameters,
                    }),
                  }
                : {}),
            },
          },
        };
      }
      case "Blocked": {
        // ResourceBusy and Paused come from the execute step and are short-lived; guards carry their own until.
        if (error?.Error === "ResourceBusy" || error?.Error === "Paused") {
          return {
            phase: "Blocked",
            reason: cause ?? error.Error,
            hold: { kind: "blocked", forMs: routing.exponentialBackoffBase },
          };
        }
        const guard = rr.guard;
        if (!guard)
          return {
            phase: "Blocked",
            reason: "blocked by a routing guard",
            hold: { kind: "blocked", forMs: routing.consecutiveFailureCooldown },
          };
        const forMs = Math.max(1_000, Date.parse(guard.until) - Date.now());
        return guard.manualReview
          ? {
              phase: "Blocked",
              outcome: "ManualReviewRequired",
              reason: `${guard.reason}: ${guard.detail}`,
              hold: { kind: "manualReview", forMs: routing.manualReviewHold },
            }
          : {
              phase: "Blocked",
              reason: `${guard.reason}: ${guard.detail}`,
              hold: { kind: "blocked", forMs },
            };
      }
      case "Rejected":
        return {
          phase: "Failed",
          reason: "Rejected",
          failurePhase: "Approval",
          hold: { kind: "backoff", forMs: routing.exponentialBackoffBase },
        };
      case "Expired":
        return {
          phase: "Failed",
          reason: "Expired",
          failurePhase: "Approval",
          hold: { kind: "backoff", forMs: routing.exponentialBackoffBase },
        };
      case "RolloutTimedOut":
        return {
          phase: "TimedOut",
          outcome: "VerificationTimedOut",
          reason: "the rollout did not converge before its deadline",
        };
      case "Failure":
        return {
          phase: "Failed",
          reason: cause ?? "failed",
          failurePhase: rr.phase,
          hold: { kind: "backoff", forMs: routing.exponentialBackoffBase },
        };
    }
  })();

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
      from: [rr.phase],
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

function manualReviewReason(rr: Awaited<ReturnType<typeof loadRemediation>>, floor: number): string {
  const analysis = rr.analysis;
  if (rr.policyDecision?.deny) return `denied by policy: ${rr.policyDecision.reason}`;
  if (analysis?.failure) return `investigation failed: ${analysis.failure}`;
  if (!analysis?.workflowId)
    return `no workflow matches${analysis?.suggestion ? `; suggestion${analysis.suggestionId ? ` ${analysis.suggestionId} (POST /api/v1/suggestions/${analysis.suggestionId}/workflow makes it a workflow)` : ""}: ${analysis.suggestion}` : ""}`;
  if (analysis.confidence < floor)
    return `confidence ${analysis.confidence} is below the ${floor} floor (${analysis.rationale})`;
  if (!analysis.aligned) return `alignment check failed: ${analysis.rationale}`;
  return "manual review required";
}

function describeCause(cause: unknown): string {
  if (typeof cause !== "string") return JSON.stringify(cause ?? null);
  // Lambda puts the error as JSON in Cause ({errorMessage, errorType, ...}); keep only the message.
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}
