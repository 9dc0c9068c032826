import { TaskState } from "@a2a-js/sdk";
import { describeEffectiveness, type IntakeRequest, type RemediationRequest } from "@kubernaut/core";

/**
 * The A2A task's status, derived from the record it follows. The remediation (or, before it exists, the
 * intake request) is the truth: these functions are pure, so every read can recompute the task from it
 * and a task survives any number of cold starts.
 */
export interface DerivedStatus {
  state: TaskState;
  /** What the status message says: why the task is in this state and what happens next. */
  text: string;
}

/** What ingest answered for one signal (the webhook's per-alert answer). */
export interface IngestAnswer {
  status: string;
  remediationId?: string | null;
  fingerprint?: string | null;
  reason?: string;
}

/** Either the task follows a remediation now, or it has a status of its own. */
export type Progress =
  | { kind: "remediation"; remediationId: string }
  | { kind: "status"; status: DerivedStatus };

/** A2A states from which a task never moves again (the SDK refuses to change them too). */
export const FINAL_STATES: ReadonlySet<TaskState> = new Set([
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
]);

export function isFinalState(state: TaskState | undefined): boolean {
  return state !== undefined && FINAL_STATES.has(state);
}

/**
 * The remediation's phase and outcome as an A2A task state (DESIGN §4 phases). Waiting for an approver is
 * `input-required`: the A2A notion of "someone has to act before this continues". Outcomes where the
 * product deliberately did not act (a hold, a guard, manual review, out of scope) are `rejected`, so a
 * delegating agent can tell "did not do it on purpose" from "tried and failed".
 */
export function remediationStatus(rr: RemediationRequest): DerivedStatus {
  const reason = rr.reason ? `: ${rr.reason}` : "";
  switch (rr.phase) {
    case "Pending":
      return {
        state: TaskState.TASK_STATE_SUBMITTED,
        text: `remediation ${rr.id} was created; it starts shortly`,
      };
    case "Processing":
      return {
        state: TaskState.TASK_STATE_WORKING,
        text: "enriching the signal (environment, severity, owner chain, managed scope)",
      };
    case "Analyzing":
      return {
        state: TaskState.TASK_STATE_WORKING,
        text: "investigating the root cause and selecting a workflow",
      };
    case "AwaitingApproval":
      return { state: TaskState.TASK_STATE_INPUT_REQUIRED, text: awaitingApproval(rr) };
    case "Executing":
      return {
        state: TaskState.TASK_STATE_WORKING,
        text: `executing ${rr.analysis?.workflowId ?? "the workflow"} on ${describeTarget(rr)}`,
      };
    case "Verifying":
      return {
        state: TaskState.TASK_STATE_WORKING,
        text: "executed; waiting for the effectiveness assessment after the stabilization window",
      };
    case "Completed":
      return completed(rr);
    case "Failed":
      return {
        state: TaskState.TASK_STATE_FAILED,
        text:
          rr.failurePhase === "Approval" && rr.approvalDecision
            ? `approval ${rr.approvalDecision.decision.toLowerCase()} by ${rr.approvalDecision.decidedBy}${rr.approvalDecision.message ? `: ${rr.approvalDecision.message}` : ""}`
            : `failed${rr.failurePhase ? ` in ${rr.failurePhase}` : ""}${reason}`,
      };
    case "TimedOut":
      return { state: TaskState.TASK_STATE_FAILED, text: `timed out${reason}` };
    case "Skipped":
      return { state: TaskState.TASK_STATE_REJECTED, text: `skipped${reason}` };
    case "Blocked":
      return {
        state: TaskState.TASK_STATE_REJECTED,
        text: `${rr.outcome === "ManualReviewRequired" ? "blocked, manual review required" : "blocked"}${reason}`,
      };
    case "Cancelled":
      return { state: TaskState.TASK_STATE_CANCELED, text: `cancelled${reason}` };
    default:
      return rr.phase satisfies never;
  }
}

function completed(rr: RemediationRequest): DerivedStatus {
  const reason = rr.reason ? `: ${rr.reason}` : "";
  const effectiveness = rr.effectiveness ? ` (effectiveness ${describeEffectiveness(rr.effectiveness)})` : "";
  switch (rr.outcome) {
    case "ManualReviewRequired":
      return { state: TaskState.TASK_STATE_REJECTED, text: `manual review required${reason}` };
    case "Remediated":
      return { state: TaskState.TASK_STATE_COMPLETED, text: `remediated${effectiveness}` };
    case "Inconclusive":
      // The workflow ran; only its effect could not be confirmed. The effectiveness artifact says why.
      return { state: TaskState.TASK_STATE_COMPLETED, text: `executed, effect inconclusive${effectiveness}` };
    case "DryRun":
      return {
        state: TaskState.TASK_STATE_COMPLETED,
        text: `dry run: would have run ${rr.analysis?.workflowId ?? "a workflow"}${reason}`,
      };
    case "NoActionRequired":
      return { state: TaskState.TASK_STATE_COMPLETED, text: `no action required${reason}` };
    case "VerificationTimedOut":
      return { state: TaskState.TASK_STATE_FAILED, text: `the rollout did not converge${reason}` };
    case undefined:
      return { state: TaskState.TASK_STATE_COMPLETED, text: `completed${reason}` };
    default:
      return rr.outcome satisfies never;
  }
}

function awaitingApproval(rr: RemediationRequest): string {
  const why = rr.policyDecision?.reason ? ` (${rr.policyDecision.reason})` : "";
  const request = rr.approvalRequestId;
  const deadline = rr.policyDecision?.requiredBy ? ` before ${rr.policyDecision.requiredBy}` : "";
  const how = request
    ? `an approver decides with POST /api/v1/approvals/${request}/decision${deadline}`
    : "the approval request is being created";
  return `awaiting approval${why}: ${how}`;
}

function describeTarget(rr: RemediationRequest): string {
  const target = rr.targetResource;
  return `${target.kind} ${target.namespace ? `${target.namespace}/` : ""}${target.name}`;
}

/**
 * A remediation cancelled because its pod turned out to belong to a workload that already had one (owner
 * chain verification, README "Analysis") names the one it merged into; the task follows that one.
 */
export function mergedInto(rr: RemediationRequest): string | undefined {
  if (rr.phase !== "Cancelled") return undefined;
  return /^MergedInto: (rr-[A-Za-z0-9-]+)/.exec(rr.reason ?? "")?.[1];
}

/** What ingest's answer means for the task: follow the remediation, or stop here and say why. */
export function ingestProgress(answer: IngestAnswer): Progress {
  if ((answer.status === "created" || answer.status === "deduplicated") && answer.remediationId)
    return { kind: "remediation", remediationId: answer.remediationId };
  if (answer.status === "held")
    return {
      kind: "status",
      status: {
        state: TaskState.TASK_STATE_REJECTED,
        text: `held: the workload is under a hold${answer.reason ? ` (${answer.reason})` : ""}${answer.remediationId ? ` set by ${answer.remediationId}` : ""}; nothing was started`,
      },
    };
  return {
    kind: "status",
    status: {
      state: TaskState.TASK_STATE_REJECTED,
      text: `the signal was ${answer.status}${answer.reason ? `: ${answer.reason}` : ""}`,
    },
  };
}

/** Where a natural-language request stands before (and once) it names a remediation. */
export function intakeProgress(intake: IntakeRequest): Progress {
  switch (intake.state) {
    case "Received":
      return {
        kind: "status",
        status: {
          state: TaskState.TASK_STATE_SUBMITTED,
          text: `intake ${intake.id} received; the model reads it next`,
        },
      };
    case "Interpreting":
      return {
        kind: "status",
        status: {
          state: TaskState.TASK_STATE_WORKING,
          text: "the model is working out which workload the text means",
        },
      };
    case "Failed":
      return {
        kind: "status",
        status: {
          state: TaskState.TASK_STATE_FAILED,
          text: `intake failed: ${intake.failure ?? "no reason given"}`,
        },
      };
    case "Submitted":
      return intake.ingest
        ? ingestProgress(intake.ingest)
        : {
            kind: "status",
            status: { state: TaskState.TASK_STATE_FAILED, text: "intake submitted without an ingest answer" },
          };
    default:
      return intake.state satisfies never;
  }
}
