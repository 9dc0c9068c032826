import { plannedChange, plannedWorkflow } from "@kubernaut/cluster";
import type { Config } from "@kubernaut/config";
import { dryRunReason, type Hold, type Outcome, type Phase, type RemediationRequest } from "@kubernaut/core";
import type { WorkflowDefinition } from "@kubernaut/workflows";
import { z } from "zod";
import type { FinishResult } from "../definition";

/** What a Catch put in `$.error` (`null` on the paths no Catch leads to). */
export const StepError = z.object({ Error: z.string(), Cause: z.unknown().optional() }).nullish();
export type StepError = z.infer<typeof StepError>;

/** How a remediation ends: its terminal phase and outcome, the reason it says, and the hold it leaves. */
export interface Ending {
  phase: Phase;
  outcome?: Outcome;
  reason: string;
  failurePhase?: string;
  hold?: { kind: Hold["kind"]; forMs: number };
  /** Attributes written with the phase change (a dry run's `wouldHaveDone`). */
  set?: Record<string, unknown>;
}

export interface EndingInput {
  /** The state machine's terminal path (the `finish` task's `result`). */
  result: FinishResult;
  /** The error the Catch recorded, if that path was reached by one. */
  error: StepError;
  /** The remediation as it is before it ends (not yet terminal). */
  rr: RemediationRequest;
  config: Pick<Config, "remediationOrchestrator" | "aianalysis">;
  /** For a DryRun because an operator's override is at observe: the overriding workflow, from the catalog. */
  chosen?: WorkflowDefinition | undefined;
  /** For a DryRun without an override: the analysed workflow, from the catalog, whose steps it shows. */
  analysed?: WorkflowDefinition | undefined;
  /** The wall clock in ms, which a routing guard's `until` is measured against. */
  clock: number;
}

/**
 * The ending decision (DESIGN §3.4, §3.6, routing guards): for each terminal path of the state machine,
 * the phase, outcome, reason and hold a remediation ends with. Pure: finish() does the writes, the
 * metrics and the notification.
 *
 * @example endingOf({ result: "Rejected", … }) // { phase: "Failed", reason: "Rejected", failurePhase: "Approval", hold: backoff }
 */
export function endingOf(input: EndingInput): Ending {
  const { result, error, rr, config } = input;
  const routing = config.remediationOrchestrator.routing;
  const cause = describeError(error);
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
    case "DryRun":
      return dryRunEnding(input);
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
      const forMs = Math.max(1_000, Date.parse(guard.until) - input.clock);
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
    case "Expired":
      return {
        phase: "Failed",
        reason: result,
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
}

/**
 * The operator's override a DryRun is about, if any. Routing's dry run is about the analysed workflow;
 * Execute's (ObserveOnly) about the one that would have run, which an operator's override may have changed.
 */
export function dryRunOverride(
  result: FinishResult,
  error: StepError,
  rr: RemediationRequest,
): NonNullable<RemediationRequest["approvalDecision"]>["override"] | undefined {
  return result === "DryRun" && error?.Error === "ObserveOnly" ? rr.approvalDecision?.override : undefined;
}

/** The error as the remediation's reason and audit say it: "ResourceBusy: Deployment/web is being …". */
export function describeError(error: StepError): string | undefined {
  return error ? `${error.Error}: ${describeCause(error.Cause)}` : undefined;
}

function dryRunEnding({ result, error, rr, config, chosen, analysed }: EndingInput): Ending {
  const override = dryRunOverride(result, error, rr);
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
        // What it would send, step by step (Level 1's "what would have been done").
        ...dryRunChange(rr, chosen ?? (override ? undefined : analysed), proposal),
      },
    },
  };
}

/**
 * The calls a dry run shows: every step of the workflow with its templates rendered from the proposal's
 * parameters and the target. A workflow no longer in the catalog is shown by its action type alone (an
 * older remediation's), and a step that cannot render says why instead of failing the ending.
 */
function dryRunChange(
  rr: RemediationRequest,
  workflow: WorkflowDefinition | undefined,
  proposal: { actionType?: string | undefined; parameters: Record<string, string | number | boolean> },
): { change?: Record<string, unknown> } {
  const target = {
    kind: rr.targetResource.kind,
    name: rr.targetResource.name,
    ...(rr.targetResource.namespace ? { namespace: rr.targetResource.namespace } : {}),
  };
  if (workflow) {
    try {
      return {
        change: plannedWorkflow({ remediationId: rr.id, workflow, parameters: proposal.parameters, target }),
      };
    } catch (error) {
      return { change: { calls: [], problem: (error as Error).message } };
    }
  }
  if (!proposal.actionType) return {};
  return {
    change: plannedChange({
      remediationId: rr.id,
      actionType: proposal.actionType,
      changesSpec: true,
      target,
      parameters: proposal.parameters,
    }),
  };
}

function manualReviewReason(rr: RemediationRequest, floor: number): string {
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
