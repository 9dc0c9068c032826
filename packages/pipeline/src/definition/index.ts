/**
 * The remediation state machine (DESIGN §3), written once as JSONPath ASL. sst.config.ts deploys it
 * with `aws.sfn.StateMachine`; the local engine runs the very same object. (SST's own StepFunctions
 * builder emits JSONata, which the local engine ignores.)
 *
 * States carry ids, not documents: `$` is `{remediationId}` plus small routing facts; the analysis,
 * parameters and evidence live in DynamoDB.
 */

/** The Lambda behind each task; one function may serve several states (all terminal records use `finish`). */
export const TASK_FUNCTIONS = [
  "enrich",
  "analyze",
  "evaluate-policy",
  "request-approval",
  "execute",
  "execute-step",
  "check-rollout",
  "record-outcome",
  "finish",
] as const;
export type TaskFunction = (typeof TASK_FUNCTIONS)[number];

/** How a remediation can end without executing, or after failing (the `finish` task's `result`). */
export const FINISH_RESULTS = [
  "NoActionRequired",
  "Skipped",
  "ManualReview",
  "DryRun",
  "Blocked",
  "Rejected",
  "Expired",
  "RolloutTimedOut",
  "Failure",
] as const;
export type FinishResult = (typeof FINISH_RESULTS)[number];

/** Errors a task throws when a retry may help (see packages/pipeline/src/tasks/errors.ts). */
export const TRANSIENT_ERRORS = [
  "TransientError",
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
];
/** Thrown with SendTaskFailure when an operator rejects the approval request. */
export const APPROVAL_REJECTED = "ApprovalRejected";

export interface DefinitionOptions {
  /** The ARN (or name) of the Lambda for each task function. */
  functionArn: (fn: TaskFunction) => string;
  /** Seconds between rollout checks. */
  rolloutPollSeconds?: number;
  /** Seconds between checks of a running Job step (the rollout poll unless set). */
  stepPollSeconds?: number;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type State = { [key: string]: Json };

const RETRY_TRANSIENT = {
  ErrorEquals: TRANSIENT_ERRORS,
  IntervalSeconds: 2,
  MaxAttempts: 4,
  BackoffRate: 2,
  JitterStrategy: "FULL",
};

export function buildDefinition(options: DefinitionOptions) {
  const invoke = (
    fn: TaskFunction,
    payload: Record<string, Json>,
    rest: { next?: string; resultPath?: string | null; timeoutSeconds: number },
  ): State => ({
    Type: "Task",
    Resource: "arn:aws:states:::lambda:invoke",
    Parameters: {
      FunctionName: options.functionArn(fn),
      Payload: { "remediationId.$": "$.remediationId", ...payload },
    },
    ResultSelector: { "value.$": "$.Payload" },
    ResultPath: rest.resultPath === undefined ? null : rest.resultPath,
    TimeoutSeconds: rest.timeoutSeconds,
    Retry: [RETRY_TRANSIENT],
    Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "RecordFailure" }],
    ...(rest.next ? { Next: rest.next } : { End: true }),
  });
  const finish = (result: FinishResult): State => {
    const state = invoke("finish", { result, "error.$": "$.error" }, { timeoutSeconds: 60 });
    // The failure path is the end of the road: nothing left to catch into.
    delete state.Catch;
    return state;
  };
  const isTrue = (variable: string, next: string) => ({
    Variable: variable,
    BooleanEquals: true,
    Next: next,
  });
  const isFalse = (variable: string, next: string) => ({
    Variable: variable,
    BooleanEquals: false,
    Next: next,
  });

  const states: Record<string, State> = {
    Enrich: invoke("enrich", {}, { next: "ManagedScope", resultPath: "$.enrichment", timeoutSeconds: 60 }),
    // DESIGN §3.2: a target outside the managed scope ends Skipped.
    ManagedScope: {
      Type: "Choice",
      Choices: [isFalse("$.enrichment.value.managed", "RecordSkipped")],
      Default: "Analyze",
    },
    Analyze: invoke("analyze", {}, { next: "Route", resultPath: "$.facts", timeoutSeconds: 300 }),
    // DESIGN §3.4, in order: not actionable → no workflow → low confidence → alignment → dry-run → guards.
    Route: {
      Type: "Choice",
      Choices: [
        isFalse("$.facts.value.actionable", "RecordNoActionRequired"),
        isFalse("$.facts.value.workflowSelected", "RecordManualReview"),
        isFalse("$.facts.value.confident", "RecordManualReview"),
        isFalse("$.facts.value.aligned", "RecordManualReview"),
        isTrue("$.facts.value.dryRun", "RecordDryRun"),
        isTrue("$.facts.value.blocked", "RecordBlocked"),
      ],
      Default: "EvaluatePolicy",
    },
    EvaluatePolicy: invoke(
      "evaluate-policy",
      {},
      { next: "ApprovalGate", resultPath: "$.policy", timeoutSeconds: 30 },
    ),
    ApprovalGate: {
      Type: "Choice",
      Choices: [
        isTrue("$.policy.value.deny", "RecordManualReview"),
        isTrue("$.policy.value.requireApproval", "AwaitApproval"),
      ],
      Default: "Execute",
    },
    AwaitApproval: {
      Type: "Task",
      Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
      Parameters: {
        FunctionName: options.functionArn("request-approval"),
        Payload: { "remediationId.$": "$.remediationId", "taskToken.$": "$$.Task.Token" },
      },
      // requiredBy + grace, computed by EvaluatePolicy; expiry is also enforced when a decision arrives.
      TimeoutSecondsPath: "$.policy.value.timeoutSeconds",
      ResultPath: "$.approval",
      Retry: [RETRY_TRANSIENT],
      Catch: [
        { ErrorEquals: [APPROVAL_REJECTED], ResultPath: "$.error", Next: "RecordRejected" },
        { ErrorEquals: ["States.Timeout"], ResultPath: "$.error", Next: "RecordExpired" },
        { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "RecordFailure" },
      ],
      Next: "Execute",
    },
    Execute: {
      ...invoke("execute", {}, { next: "StepProgress", resultPath: "$.execution", timeoutSeconds: 300 }),
      // Another remediation holds the target's lease: a routing guard's Blocked, not a failure. The
      // workflow that would run is only at `observe` here (an override's): Level 2's DryRun.
      Catch: [
        { ErrorEquals: ["ResourceBusy", "Paused"], ResultPath: "$.error", Next: "RecordResourceBusy" },
        { ErrorEquals: ["ObserveOnly"], ResultPath: "$.error", Next: "RecordObserveOnly" },
        { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "RecordFailure" },
      ],
    },
    // The workflow's steps, one task each, with the same Retry/Catch as every task: `$` carries only the
    // step's index (its definition stays in the catalog, its record on the WorkflowExecution), and a Job
    // step still running comes back here after a wait instead of holding a Lambda.
    ExecuteStep: invoke(
      "execute-step",
      { "step.$": "$.execution.value.step" },
      { next: "StepProgress", resultPath: "$.execution", timeoutSeconds: 300 },
    ),
    StepProgress: {
      Type: "Choice",
      Choices: [
        isTrue("$.execution.value.done", "WaitForRollout"),
        isTrue("$.execution.value.waiting", "WaitForStep"),
      ],
      Default: "ExecuteStep",
    },
    WaitForStep: {
      Type: "Wait",
      Seconds: options.stepPollSeconds ?? options.rolloutPollSeconds ?? 10,
      Next: "ExecuteStep",
    },
    WaitForRollout: { Type: "Wait", Seconds: options.rolloutPollSeconds ?? 10, Next: "CheckRollout" },
    CheckRollout: invoke(
      "check-rollout",
      {},
      { next: "RolloutConverged", resultPath: "$.rollout", timeoutSeconds: 60 },
    ),
    RolloutConverged: {
      Type: "Choice",
      Choices: [
        isTrue("$.rollout.value.converged", "RecordOutcome"),
        isTrue("$.rollout.value.deadlinePassed", "RecordRolloutTimedOut"),
      ],
      Default: "WaitForRollout",
    },
    RecordOutcome: invoke("record-outcome", {}, { timeoutSeconds: 60 }),
    RecordNoActionRequired: finish("NoActionRequired"),
    RecordSkipped: finish("Skipped"),
    RecordManualReview: finish("ManualReview"),
    RecordDryRun: finish("DryRun"),
    RecordObserveOnly: finish("DryRun"),
    RecordBlocked: finish("Blocked"),
    RecordResourceBusy: finish("Blocked"),
    RecordRejected: finish("Rejected"),
    RecordExpired: finish("Expired"),
    RecordRolloutTimedOut: finish("RolloutTimedOut"),
    RecordFailure: finish("Failure"),
  };
  // `$.error` only exists on the paths a Catch leads to; every other finish gets null instead of failing
  // on a missing path. Which paths those are is read from the Catch clauses themselves.
  const caught = catchTargets(states);
  for (const [name, state] of Object.entries(states)) {
    const payload = (state.Parameters as { Payload?: Record<string, Json> } | undefined)?.Payload;
    if (state.Type === "Task" && payload && "error.$" in payload && !caught.has(name)) {
      delete payload["error.$"];
      payload.error = null;
    }
  }
  return {
    Comment:
      "Kubernaut remediation: enrich → analyze → route → policy → approval → execute → verify → record",
    StartAt: "Enrich",
    States: states,
  };
}

export type PipelineDefinition = ReturnType<typeof buildDefinition>;

/** The states some Catch clause leads to: the only ones where `$.error` exists. */
function catchTargets(states: Readonly<Record<string, State>>): Set<string> {
  return new Set(
    Object.values(states).flatMap((state) =>
      ((state.Catch as Array<{ Next: string }> | undefined) ?? []).map((clause) => clause.Next),
    ),
  );
}

/** A Lambda ARN for local runs, where the engine maps each function to an in-process handler. */
export function localFunctionArn(fn: TaskFunction): string {
  return `arn:aws:lambda:us-east-1:000000000000:function:kubernaut-${fn}`;
}

export { validateDefinition } from "./validate";
