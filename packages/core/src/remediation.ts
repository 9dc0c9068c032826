import { z } from "zod";

/** Kubernaut's RemediationRequest phases (DESIGN §4). */
export const PHASES = [
  "Pending",
  "Processing",
  "Analyzing",
  "AwaitingApproval",
  "Executing",
  "Verifying",
  "Blocked",
  "Completed",
  "Failed",
  "TimedOut",
  "Skipped",
  "Cancelled",
] as const;
export const Phase = z.enum(PHASES);
export type Phase = z.infer<typeof Phase>;

export const OUTCOMES = [
  "Remediated",
  "NoActionRequired",
  "ManualReviewRequired",
  "VerificationTimedOut",
  "Inconclusive",
  "DryRun",
] as const;
export const Outcome = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof Outcome>;

/** Every phase that is not terminal may fail, time out or be cancelled (the failure path, reconciliation). */
const ABORT = ["Failed", "TimedOut", "Cancelled"] as const;

/**
 * The phase changes a remediation may make (DESIGN §3), written once: the store refuses any other, so a
 * lost race or a replayed step cannot move a remediation backwards or out of a terminal phase.
 * - Pending → Processing (enriched); a target that does not exist or merges elsewhere is Cancelled.
 * - Processing → Analyzing, or Skipped outside the managed scope.
 * - Analyzing → AwaitingApproval or Executing (policy), or it ends: Completed (no action, manual review,
 *   dry run) or Blocked (a routing guard).
 * - AwaitingApproval → Executing, or ends Completed (DryRun: the override is at observe) or Blocked
 *   (target busy, paused); Rejected and Expired are Failed.
 * - Executing → Verifying, or ends as above when a retried execute finds it blocked or at observe, or
 *   TimedOut when the rollout does not converge.
 * - Verifying → Completed when the assessment is done.
 * Terminal phases have no way out.
 */
export const PHASE_TRANSITIONS: Readonly<Record<Phase, readonly Phase[]>> = {
  Pending: ["Processing", ...ABORT],
  Processing: ["Analyzing", "Skipped", ...ABORT],
  Analyzing: ["AwaitingApproval", "Executing", "Completed", "Blocked", ...ABORT],
  AwaitingApproval: ["Executing", "Completed", "Blocked", ...ABORT],
  Executing: ["Verifying", "Completed", "Blocked", ...ABORT],
  Verifying: ["Completed", ...ABORT],
  Blocked: [],
  Completed: [],
  Failed: [],
  TimedOut: [],
  Skipped: [],
  Cancelled: [],
};

/** Whether a remediation in phase `from` may move to `to`. */
export function canTransition(from: Phase, to: Phase): boolean {
  return PHASE_TRANSITIONS[from].includes(to);
}

/**
 * Terminal phases release the fingerprint: the ones with no way out. Verifying is deliberately *not*
 * terminal: the fingerprint stays suppressed until the effectiveness assessment finishes, so a flapping
 * alert cannot start a second remediation on top of one still being judged.
 */
export function isTerminal(phase: Phase): boolean {
  return PHASE_TRANSITIONS[phase].length === 0;
}

export const ResourceRef = z.object({
  kind: z.string().min(1),
  name: z.string().min(1),
  namespace: z.string().min(1).optional(),
  cluster: z.string().min(1).optional(),
});
export type ResourceRef = z.infer<typeof ResourceRef>;

/** How ingest arrived at the target, so enrichment knows whether the owner chain still needs checking. */
export const TargetSource = z.enum(["label", "pod-name", "pod", "node", "namespace"]);
export type TargetSource = z.infer<typeof TargetSource>;

/** A normalised signal: what ingest keeps of one alert, whatever its source. */
export const Signal = z.object({
  /** prometheus: an Alertmanager alert; text: natural-language intake; a2a: labels another agent sent. */
  source: z.enum(["prometheus", "text", "a2a"]),
  alertName: z.string(),
  severity: z.string(),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  startsAt: z.string(),
  generatorURL: z.string().optional(),
  alertFingerprint: z.string().optional(),
  receivedAt: z.string(),
});
export type Signal = z.infer<typeof Signal>;

export const Environment = z.enum(["Production", "Staging", "Development", "Test", "Unknown"]);
export type Environment = z.infer<typeof Environment>;
export const Severity = z.enum(["critical", "high", "warning", "info", "unknown"]);
export type Severity = z.infer<typeof Severity>;
export const Priority = z.enum(["P0", "P1", "P2", "P3"]);
export type Priority = z.infer<typeof Priority>;

/** What signal processing learned about the signal (DESIGN §3.2). */
export const Enrichment = z.object({
  environment: Environment,
  environmentSource: z.string(),
  severity: Severity,
  priority: Priority,
  /** Kubernaut's custom labels are lists of values; a single value (the shipped policy's) is one string. */
  customLabels: z.record(z.string(), z.union([z.string(), z.array(z.string())])).default({}),
  businessClassification: z.record(z.string(), z.string()).optional(),
  /** Set when the classification policy could not be used and the built-in rules decided. */
  degraded: z.string().optional(),
  /** Why the target is outside the managed scope whatever the policy says (its namespace is gone, …). */
  outOfScope: z.string().optional(),
});
export type Enrichment = z.infer<typeof Enrichment>;

/** The agent's result (DESIGN §3.3): parameters are absolute values, so a retry cannot compound them. */
export const Analysis = z.object({
  investigator: z.string(),
  actionable: z.boolean(),
  workflowId: z.string().optional(),
  workflowVersion: z.string().optional(),
  actionType: z.string().optional(),
  confidence: z.number().min(0).max(1),
  parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  rootCause: z.string(),
  rationale: z.string(),
  aligned: z.boolean(),
  suggestion: z.string().optional(),
  /** The stored plan for a human when no workflow matches (see suggestion.ts). */
  suggestionId: z.string().optional(),
  /** What the investigator looked at (pods, events, logs, rollout history, limits, nodes, labels). */
  evidence: z.record(z.string(), z.unknown()).optional(),
  /** Why the investigator produced no usable selection (a model refused, timed out or ran out of budget). */
  failure: z.string().optional(),
  /** The model's cost, when a model investigated. */
  usage: z
    .object({
      inputTokens: z.number(),
      outputTokens: z.number(),
      latencyMs: z.number(),
      turns: z.number(),
      toolCalls: z.number(),
    })
    .optional(),
});
export type Analysis = z.infer<typeof Analysis>;

/** The approval policy's answer (DESIGN §3.5); `degraded` means it could not be evaluated. */
export const PolicyDecision = z.object({
  requireApproval: z.boolean(),
  deny: z.boolean().default(false),
  degraded: z.boolean(),
  reason: z.string(),
  policyHash: z.string().optional(),
  requiredBy: z.string().optional(),
});
export type PolicyDecision = z.infer<typeof PolicyDecision>;

/** One step of a WorkflowExecution (issue 23): what ran, when, and what came of it. */
export const StepResult = z.object({
  index: z.number().int().min(0),
  name: z.string(),
  /** The action type, or `Job`. */
  action: z.string(),
  /** The Job a Job step runs (named after the remediation and the step). */
  job: z.string().optional(),
  status: z.enum(["started", "done", "failed"]),
  startedAt: z.string(),
  doneAt: z.string().optional(),
  summary: z.string().optional(),
  alreadyApplied: z.boolean().optional(),
  /** A Job's logs (the tail), captured when it finished. */
  logs: z.string().optional(),
  error: z.string().optional(),
});
export type StepResult = z.infer<typeof StepResult>;

export const RemediationRequest = z.object({
  id: z.string(),
  fingerprint: z.string(),
  phase: Phase,
  outcome: Outcome.optional(),
  reason: z.string().optional(),
  failurePhase: z.string().optional(),
  signal: Signal,
  targetResource: ResourceRef,
  targetSource: TargetSource,
  executionName: z.string(),
  enrichment: Enrichment.optional(),
  analysis: Analysis.optional(),
  policyDecision: PolicyDecision.optional(),
  approvalRequestId: z.string().optional(),
  /** The operator's decision on the approval request, and an approve-with-changes override. */
  approvalDecision: z
    .object({
      decision: z.enum(["Approved", "Rejected", "Expired"]),
      decidedBy: z.string(),
      decidedVia: z.string(),
      decidedAt: z.string(),
      message: z.string().optional(),
      override: z
        .object({
          workflowName: z.string(),
          parameters: z.record(z.string(), z.unknown()),
          rationale: z.string(),
        })
        .optional(),
    })
    .optional(),
  /** The WorkflowExecution (DESIGN §4): workflow snapshot, absolute parameters, hashes, timings, result. */
  workflowExecution: z
    .object({
      workflowId: z.string(),
      workflowVersion: z.string(),
      actionType: z.string(),
      parameters: z.record(z.string(), z.unknown()),
      target: z.object({
        kind: z.string(),
        name: z.string(),
        namespace: z.string().optional(),
        cluster: z.string().optional(),
      }),
      startedAt: z.string(),
      appliedAt: z.string().optional(),
      completedAt: z.string().optional(),
      deadline: z.string().optional(),
      preHash: z.string().optional(),
      postHash: z.string().optional(),
      summary: z.string().optional(),
      alreadyApplied: z.boolean().optional(),
      rollout: z.string().optional(),
      /**
       * The executor's journal: steps a retry must repeat exactly, not choose again (which pod a
       * RestartPod deletes), recorded before the step is taken.
       */
      steps: z.record(z.string(), z.string()).optional(),
      /**
       * Each step of the workflow as it ran: started (recorded before it acts), done with its result —
       * a Job's logs included — or failed with why. A retry resumes at the first step not done.
       */
      stepResults: z.array(StepResult).optional(),
    })
    .optional(),
  /** A routing guard that blocked this remediation (DESIGN §3). */
  guard: z
    .object({ reason: z.string(), until: z.string(), detail: z.string(), manualReview: z.boolean() })
    .optional(),
  /** The effectiveness assessment's result, once assessed (DESIGN §3.10). */
  effectiveness: z
    .object({
      /** Null when no component could be assessed: nothing was measured, which is not a 0. */
      score: z.number().nullable(),
      /** Kubernaut's assessmentReason: Full, Partial, Expired, SpecDrift, … */
      reason: z.string(),
      /**
       * What the score rests on, in words, apart from the score ("health only: no alert or metrics
       * source configured"). Absent on assessments recorded before it existed.
       */
      completeness: z.string().optional(),
      components: z.record(z.string(), z.number()),
      /** Per component, in words: what its score rests on, or why it has none. */
      details: z.record(z.string(), z.string()).optional(),
      assessedAt: z.string(),
    })
    .optional(),
  /** For DryRun: what would have been done (workflow, absolute parameters). */
  wouldHaveDone: z.record(z.string(), z.unknown()).optional(),
  executionStartedAt: z.string().optional(),
  /** When the remediation entered Executing: the oscillation warning counts these per target. */
  executingAt: z.string().optional(),
  signalResolvedAt: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  completedAt: z.string().optional(),
});
export type RemediationRequest = z.infer<typeof RemediationRequest>;
