import { TaskState } from "@a2a-js/sdk";
import { type IntakeRequest, PHASES, type RemediationRequest } from "@kubernaut/core";
import { describe, expect, it } from "vitest";
import { remediation } from "./fixtures";
import { ingestProgress, intakeProgress, isFinalState, mergedInto, remediationStatus } from "./task-state";

const {
  TASK_STATE_SUBMITTED: SUBMITTED,
  TASK_STATE_WORKING: WORKING,
  TASK_STATE_INPUT_REQUIRED: INPUT_REQUIRED,
  TASK_STATE_COMPLETED: COMPLETED,
  TASK_STATE_FAILED: FAILED,
  TASK_STATE_REJECTED: REJECTED,
  TASK_STATE_CANCELED: CANCELED,
} = TaskState;

describe("remediationStatus", () => {
  it.each<{ case: string; rr: Partial<RemediationRequest>; state: TaskState; text: string | RegExp }>([
    {
      case: "Pending is submitted",
      rr: { phase: "Pending" },
      state: SUBMITTED,
      text: /^remediation rr-1 was created/,
    },
    { case: "Processing is working", rr: { phase: "Processing" }, state: WORKING, text: /^enriching/ },
    { case: "Analyzing is working", rr: { phase: "Analyzing" }, state: WORKING, text: /^investigating/ },
    {
      case: "AwaitingApproval is input-required, naming the request, the route and the deadline",
      rr: {
        phase: "AwaitingApproval",
        approvalRequestId: "rar-rr-1",
        policyDecision: {
          requireApproval: true,
          deny: false,
          degraded: false,
          reason: "production environment",
          requiredBy: "2026-01-01T12:15:00.000Z",
        },
      },
      state: INPUT_REQUIRED,
      text: "awaiting approval (production environment): an approver decides with POST /api/v1/approvals/rar-rr-1/decision before 2026-01-01T12:15:00.000Z",
    },
    {
      case: "AwaitingApproval before the request exists is input-required too",
      rr: { phase: "AwaitingApproval" },
      state: INPUT_REQUIRED,
      text: "awaiting approval: the approval request is being created",
    },
    {
      case: "Executing is working, naming the workflow and target",
      rr: {
        phase: "Executing",
        analysis: {
          investigator: "rules",
          actionable: true,
          workflowId: "crashloop-rollback-v1",
          confidence: 0.9,
          parameters: {},
          rootCause: "bad rollout",
          rationale: "r",
          aligned: true,
        },
      },
      state: WORKING,
      text: "executing crashloop-rollback-v1 on Deployment shop/checkout",
    },
    {
      case: "Verifying is working until the assessment",
      rr: { phase: "Verifying" },
      state: WORKING,
      text: /effectiveness assessment/,
    },
    {
      case: "Completed Remediated is completed with the score",
      rr: {
        phase: "Completed",
        outcome: "Remediated",
        effectiveness: {
          score: 1,
          reason: "Full",
          completeness: "health only: no alert or metrics source configured",
          components: { health: 1 },
          assessedAt: "2026-01-01T12:10:00Z",
        },
      },
      state: COMPLETED,
      text: "remediated (effectiveness 1.00, health only: no alert or metrics source configured)",
    },
    {
      case: "Completed Inconclusive is completed: the workflow ran",
      rr: {
        phase: "Completed",
        outcome: "Inconclusive",
        effectiveness: {
          score: 0,
          reason: "SpecDrift",
          completeness: "health and alert only: no metrics source configured",
          components: { health: 1, alert: 1 },
          assessedAt: "2026-01-01T12:10:00Z",
        },
      },
      state: COMPLETED,
      text: "executed, effect inconclusive (effectiveness 0.00, voided by spec drift (the target's spec changed after the remediation), health and alert only: no metrics source configured)",
    },
    {
      case: "Completed Inconclusive without a score says why",
      rr: {
        phase: "Completed",
        outcome: "Inconclusive",
        effectiveness: {
          score: null,
          reason: "Expired",
          completeness: "nothing assessed: no health, alert or metrics source configured",
          components: {},
          assessedAt: "2026-01-01T12:10:00Z",
        },
      },
      state: COMPLETED,
      text: "executed, effect inconclusive (effectiveness not scored, nothing assessed: no health, alert or metrics source configured)",
    },
    {
      case: "Completed DryRun is completed (Level 1 did what it is for)",
      rr: { phase: "Completed", outcome: "DryRun", reason: "Level 1 (observe)" },
      state: COMPLETED,
      text: "dry run: would have run a workflow: Level 1 (observe)",
    },
    {
      case: "Completed NoActionRequired is completed",
      rr: { phase: "Completed", outcome: "NoActionRequired", reason: "already healthy" },
      state: COMPLETED,
      text: "no action required: already healthy",
    },
    {
      case: "Completed ManualReviewRequired is rejected: the product chose not to act",
      rr: { phase: "Completed", outcome: "ManualReviewRequired", reason: "no workflow matches" },
      state: REJECTED,
      text: "manual review required: no workflow matches",
    },
    {
      case: "Completed VerificationTimedOut is failed",
      rr: { phase: "Completed", outcome: "VerificationTimedOut" },
      state: FAILED,
      text: "the rollout did not converge",
    },
    {
      case: "Completed with no outcome is completed",
      rr: { phase: "Completed" },
      state: COMPLETED,
      text: "completed",
    },
    {
      case: "Failed after a rejection says who rejected it",
      rr: {
        phase: "Failed",
        reason: "Rejected",
        failurePhase: "Approval",
        approvalDecision: {
          decision: "Rejected",
          decidedBy: "ops",
          decidedVia: "api",
          decidedAt: "2026-01-01T12:05:00Z",
          message: "not during the sale",
        },
      },
      state: FAILED,
      text: "approval rejected by ops: not during the sale",
    },
    {
      case: "Failed elsewhere names the phase",
      rr: { phase: "Failed", failurePhase: "Executing", reason: "Forbidden: patch deployments" },
      state: FAILED,
      text: "failed in Executing: Forbidden: patch deployments",
    },
    {
      case: "TimedOut is failed",
      rr: { phase: "TimedOut", reason: "the rollout did not converge before its deadline" },
      state: FAILED,
      text: "timed out: the rollout did not converge before its deadline",
    },
    {
      case: "Skipped is rejected",
      rr: { phase: "Skipped", reason: "NotManaged" },
      state: REJECTED,
      text: "skipped: NotManaged",
    },
    {
      case: "Blocked is rejected",
      rr: { phase: "Blocked", reason: "Paused: the kill switch is on" },
      state: REJECTED,
      text: "blocked: Paused: the kill switch is on",
    },
    {
      case: "Blocked for manual review says so",
      rr: { phase: "Blocked", outcome: "ManualReviewRequired", reason: "IneffectiveChain" },
      state: REJECTED,
      text: "blocked, manual review required: IneffectiveChain",
    },
    {
      case: "Cancelled is canceled",
      rr: { phase: "Cancelled", reason: "MergedInto: hold on f" },
      state: CANCELED,
      text: "cancelled: MergedInto: hold on f",
    },
  ])("$case", ({ rr, state, text }) => {
    // Act
    const status = remediationStatus(remediation(rr));

    // Assess
    expect(status.state).toBe(state);
    if (typeof text === "string") expect(status.text).toBe(text);
    else expect(status.text).toMatch(text);
  });

  it("maps every phase, and only the terminal ones to final task states (Verifying keeps working)", () => {
    // Act
    const states = PHASES.map((phase) => [
      phase,
      isFinalState(remediationStatus(remediation({ phase })).state),
    ]);

    // Assess
    expect(Object.fromEntries(states)).toEqual({
      Pending: false,
      Processing: false,
      Analyzing: false,
      AwaitingApproval: false,
      Executing: false,
      Verifying: false,
      Blocked: true,
      Completed: true,
      Failed: true,
      TimedOut: true,
      Skipped: true,
      Cancelled: true,
    });
  });
});

describe("mergedInto", () => {
  it.each([
    {
      reason: "MergedInto: rr-0abc-1234 (the pod belongs to Deployment/checkout)",
      phase: "Cancelled",
      into: "rr-0abc-1234",
    },
    {
      reason: "MergedInto: hold on ffff (the pod belongs to Deployment/checkout)",
      phase: "Cancelled",
      into: undefined,
    },
    { reason: "MergedInto: rr-0abc-1234", phase: "Failed", into: undefined },
  ] as const)("$reason in $phase → $into", ({ reason, phase, into }) => {
    expect(mergedInto(remediation({ phase, reason }))).toBe(into);
  });
});

describe("ingestProgress", () => {
  it.each([
    { status: "created", remediationId: "rr-1", expected: { kind: "remediation", remediationId: "rr-1" } },
    {
      status: "deduplicated",
      remediationId: "rr-1",
      expected: { kind: "remediation", remediationId: "rr-1" },
    },
    {
      status: "held",
      remediationId: "rr-0",
      reason: "dryRun: DryRun (until 2026-01-01T13:00:00.000Z)",
      expected: {
        kind: "status",
        status: {
          state: REJECTED,
          text: "held: the workload is under a hold (dryRun: DryRun (until 2026-01-01T13:00:00.000Z)) set by rr-0; nothing was started",
        },
      },
    },
    {
      status: "rejected",
      remediationId: null,
      reason: 'the alert has no "alertname" label',
      expected: {
        kind: "status",
        status: { state: REJECTED, text: 'the signal was rejected: the alert has no "alertname" label' },
      },
    },
  ])("$status", ({ expected, ...answer }) => {
    expect(ingestProgress(answer)).toEqual(expected);
  });
});

describe("intakeProgress", () => {
  const intake = (overrides: Partial<IntakeRequest>): IntakeRequest => ({
    id: "in-1",
    text: "checkout keeps restarting",
    submittedBy: "agent",
    state: "Received",
    createdAt: "2026-01-01T12:00:00Z",
    updatedAt: "2026-01-01T12:00:00Z",
    ...overrides,
  });

  it.each<{ case: string; intake: Partial<IntakeRequest>; expected: ReturnType<typeof intakeProgress> }>([
    {
      case: "Received is submitted",
      intake: { state: "Received" },
      expected: {
        kind: "status",
        status: { state: SUBMITTED, text: "intake in-1 received; the model reads it next" },
      },
    },
    {
      case: "Interpreting is working",
      intake: { state: "Interpreting" },
      expected: {
        kind: "status",
        status: { state: WORKING, text: "the model is working out which workload the text means" },
      },
    },
    {
      case: "Failed is failed with the reason",
      intake: { state: "Failed", failure: "no workload named" },
      expected: { kind: "status", status: { state: FAILED, text: "intake failed: no workload named" } },
    },
    {
      case: "Submitted follows the remediation it created or joined",
      intake: {
        state: "Submitted",
        ingest: { status: "deduplicated", remediationId: "rr-1", fingerprint: "f" },
      },
      expected: { kind: "remediation", remediationId: "rr-1" },
    },
    {
      case: "Submitted onto a hold is rejected",
      intake: {
        state: "Submitted",
        ingest: { status: "held", remediationId: null, fingerprint: "f", reason: "backoff" },
      },
      expected: {
        kind: "status",
        status: {
          state: REJECTED,
          text: "held: the workload is under a hold (backoff); nothing was started",
        },
      },
    },
  ])("$case", ({ intake: overrides, expected }) => {
    expect(intakeProgress(intake(overrides))).toEqual(expected);
  });
});
