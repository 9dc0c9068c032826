import { parseConfig } from "@kubernaut/config";
import type { Analysis, RemediationRequest } from "@kubernaut/core";
import { describe, expect, it } from "vitest";
import type { FinishResult } from "../definition";
import { type Ending, endingOf, type StepError } from "./ending";

const config = parseConfig({ remediationOrchestrator: { dryRun: false } });
const routing = config.remediationOrchestrator.routing;
const CLOCK = Date.parse("2026-01-01T00:00:00Z");

const analysis = (over: Partial<Analysis> = {}): Analysis => ({
  investigator: "rules",
  actionable: true,
  workflowId: "restart-pod-v1",
  workflowVersion: "1.0.0",
  actionType: "RestartPod",
  confidence: 0.9,
  parameters: {},
  rootCause: "the pod crash-loops",
  rationale: "restarts help",
  aligned: true,
  ...over,
});

const rr = (over: Partial<RemediationRequest> = {}): RemediationRequest => ({
  id: "rr-1",
  fingerprint: "f",
  phase: "Analyzing",
  signal: {
    source: "prometheus",
    alertName: "KubePodCrashLooping",
    severity: "critical",
    labels: {},
    annotations: {},
    startsAt: "",
    receivedAt: "",
  },
  targetResource: { kind: "Deployment", name: "api", namespace: "shop" },
  targetSource: "label",
  executionName: "rr-1",
  createdAt: "",
  updatedAt: "",
  analysis: analysis(),
  ...over,
});

const guard = (manualReview: boolean) => ({
  reason: "ConsecutiveFailures",
  detail: "3 failures in a row",
  until: new Date(CLOCK + 60 * 60_000).toISOString(),
  manualReview,
});

describe("how a remediation ends", () => {
  it.each<{ case: string; result: FinishResult; error?: StepError; rr: RemediationRequest; ending: Ending }>([
    {
      case: "not actionable: Completed, NoActionRequired, the root cause as reason, no hold",
      result: "NoActionRequired",
      rr: rr(),
      ending: { phase: "Completed", outcome: "NoActionRequired", reason: "the pod crash-loops" },
    },
    {
      case: "outside the managed scope: Skipped and held like a block",
      result: "Skipped",
      rr: rr({ phase: "Processing", analysis: undefined }),
      ending: {
        phase: "Skipped",
        reason: "NotManaged: neither the target nor its namespace is labelled kubernaut.ai/managed=true",
        hold: { kind: "blocked", forMs: routing.consecutiveFailureCooldown },
      },
    },
    {
      case: "low confidence: manual review, held",
      result: "ManualReview",
      rr: rr({ analysis: analysis({ confidence: 0.5 }) }),
      ending: {
        phase: "Completed",
        outcome: "ManualReviewRequired",
        reason: "confidence 0.5 is below the 0.7 floor (restarts help)",
        hold: { kind: "manualReview", forMs: routing.manualReviewHold },
      },
    },
    {
      case: "no workflow: manual review naming the suggestion",
      result: "ManualReview",
      rr: rr({ analysis: analysis({ workflowId: undefined, suggestion: "scale it", suggestionId: "s-1" }) }),
      ending: {
        phase: "Completed",
        outcome: "ManualReviewRequired",
        reason:
          "no workflow matches; suggestion s-1 (POST /api/v1/suggestions/s-1/workflow makes it a workflow): scale it",
        hold: { kind: "manualReview", forMs: routing.manualReviewHold },
      },
    },
    {
      case: "target busy: Blocked for the backoff base, the error as reason",
      result: "Blocked",
      error: { Error: "ResourceBusy", Cause: '{"errorMessage":"Deployment/api is being remediated"}' },
      rr: rr({ phase: "AwaitingApproval" }),
      ending: {
        phase: "Blocked",
        reason: "ResourceBusy: Deployment/api is being remediated",
        hold: { kind: "blocked", forMs: routing.exponentialBackoffBase },
      },
    },
    {
      case: "a routing guard: Blocked until the guard's until",
      result: "Blocked",
      rr: rr({ guard: guard(false) }),
      ending: {
        phase: "Blocked",
        reason: "ConsecutiveFailures: 3 failures in a row",
        hold: { kind: "blocked", forMs: 60 * 60_000 },
      },
    },
    {
      case: "an ineffective chain: Blocked with ManualReviewRequired, held like manual review",
      result: "Blocked",
      rr: rr({ guard: guard(true) }),
      ending: {
        phase: "Blocked",
        outcome: "ManualReviewRequired",
        reason: "ConsecutiveFailures: 3 failures in a row",
        hold: { kind: "manualReview", forMs: routing.manualReviewHold },
      },
    },
    {
      case: "rejected: Failed in Approval, backoff",
      result: "Rejected",
      rr: rr({ phase: "AwaitingApproval" }),
      ending: {
        phase: "Failed",
        reason: "Rejected",
        failurePhase: "Approval",
        hold: { kind: "backoff", forMs: routing.exponentialBackoffBase },
      },
    },
    {
      case: "expired: Failed in Approval, backoff",
      result: "Expired",
      rr: rr({ phase: "AwaitingApproval" }),
      ending: {
        phase: "Failed",
        reason: "Expired",
        failurePhase: "Approval",
        hold: { kind: "backoff", forMs: routing.exponentialBackoffBase },
      },
    },
    {
      case: "the rollout never converged: TimedOut, no hold",
      result: "RolloutTimedOut",
      rr: rr({ phase: "Executing" }),
      ending: {
        phase: "TimedOut",
        outcome: "VerificationTimedOut",
        reason: "the rollout did not converge before its deadline",
      },
    },
    {
      case: "a failure: Failed in the phase it happened, the error as reason",
      result: "Failure",
      error: { Error: "PreconditionFailed", Cause: "no revision" },
      rr: rr({ phase: "Executing" }),
      ending: {
        phase: "Failed",
        reason: "PreconditionFailed: no revision",
        failurePhase: "Executing",
        hold: { kind: "backoff", forMs: routing.exponentialBackoffBase },
      },
    },
  ])("$case", ({ result, error, rr: remediation, ending }) => {
    expect(endingOf({ result, error, rr: remediation, config, clock: CLOCK })).toEqual(ending);
  });

  it.each([
    [true, "Level 1 (observe): remediationOrchestrator.dryRun is on"],
    [false, "Level 2 (selective trust): restart-pod-v1 is at observe in shop"],
  ])(
    "a dry run (global dryRun %s) says which level, holds, and keeps what it would have done",
    (dryRun, reason) => {
      const ending = endingOf({
        result: "DryRun",
        error: null,
        rr: rr(),
        config: { ...config, remediationOrchestrator: { ...config.remediationOrchestrator, dryRun } },
        clock: CLOCK,
      });
      expect(ending).toMatchObject({
        phase: "Completed",
        outcome: "DryRun",
        reason,
        hold: { kind: "dryRun", forMs: config.remediationOrchestrator.dryRunHoldPeriod },
        set: {
          wouldHaveDone: {
            workflowId: "restart-pod-v1",
            actionType: "RestartPod",
            target: { kind: "Deployment", name: "api", namespace: "shop" },
            change: { calls: expect.any(Array) },
          },
        },
      });
    },
  );

  it("a dry run at Execute (ObserveOnly) is about the operator's override, not the analysed workflow", () => {
    const override = { workflowName: "scale-up-v1", parameters: { replicas: 3 }, rationale: "more" };
    const ending = endingOf({
      result: "DryRun",
      error: { Error: "ObserveOnly", Cause: "scale-up-v1 is at trust level observe" },
      rr: rr({
        phase: "AwaitingApproval",
        approvalDecision: {
          decision: "Approved",
          decidedBy: "alice",
          decidedVia: "api",
          decidedAt: "",
          override,
        },
      }),
      config,
      clock: CLOCK,
    });
    expect(ending.reason).toBe("Level 2 (selective trust): scale-up-v1 is at observe in shop");
    expect(ending.set?.wouldHaveDone).toMatchObject({
      workflowId: "scale-up-v1",
      workflowVersion: undefined,
      actionType: undefined,
      parameters: { replicas: 3 },
      override,
    });
  });
});
