import { parseDuration } from "@kubernaut/core";
import {
  ACTIONS,
  type ActionType,
  type ParameterValue,
  render,
  TemplateError,
  type WorkflowDefinition,
} from "@kubernaut/workflows";
import type { ClusterAccess, ObjectRef } from "./access";
import { ExecutionError, withKubernetesRetries } from "./errors";
import {
  apiPath,
  type ExecutionJournal,
  type ExecutionRequest,
  type ExecutionResult,
  executeWorkflow,
  markCompleted,
  type PlannedCall,
  plannedChange,
  REMEDIATION_ANNOTATION,
  REMEDIATION_STEP_ANNOTATION,
} from "./executors";
import { deleteJob, ensureJob, jobLogs, jobManifest, jobName, jobState, type RenderedJob } from "./jobs";

/** What a workflow runs on: one remediation's target with its absolute parameters. */
export interface WorkflowRun {
  remediationId: string;
  workflow: WorkflowDefinition;
  parameters: Readonly<Record<string, ParameterValue>>;
  target: ObjectRef & { cluster?: string };
}

export type RenderedStep =
  | { kind: "action"; name: string; action: ActionType; request: ExecutionRequest }
  | { kind: "job"; name: string; job: RenderedJob };

/**
 * The stamp an action step writes: the remediation-id annotation when the step is the whole workflow
 * (the built-ins: one write says all is done, as before steps existed), else the step's own marker.
 */
function stampFor(run: WorkflowRun, index: number) {
  return run.workflow.steps.length === 1
    ? { key: REMEDIATION_ANNOTATION, value: run.remediationId }
    : { key: REMEDIATION_STEP_ANNOTATION, value: `${run.remediationId}/${index}` };
}

/**
 * Step `index` with every template filled in from the run. A template that no longer renders (the
 * catalog validated it with sample values; real values can still miss an optional one) fails the step
 * naming it — before anything is sent.
 */
export function renderStep(run: WorkflowRun, index: number): RenderedStep {
  const step = run.workflow.steps[index];
  if (!step) throw new ExecutionError("PreconditionFailed", `${run.workflow.id} has no step ${index + 1}`);
  const context = {
    parameters: run.parameters,
    specs: run.workflow.parameters,
    target: run.target,
    remediation: { id: run.remediationId },
  };
  try {
    if ("action" in step) {
      return {
        kind: "action",
        name: step.name,
        action: step.action,
        request: {
          remediationId: run.remediationId,
          actionType: step.action,
          changesSpec: ACTIONS[step.action].changesSpec,
          target: {
            kind: run.target.kind,
            name: run.target.name,
            ...(run.target.namespace ? { namespace: run.target.namespace } : {}),
          },
          parameters: (render(step.with, context, "with") ?? {}) as Record<string, unknown>,
          stamp: stampFor(run, index),
        },
      };
    }
    const spec = render(step.job, context, "job") as RenderedJob["spec"];
    const namespace = spec.namespace ?? run.target.namespace;
    if (!namespace)
      throw new ExecutionError(
        "PreconditionFailed",
        `step ${index + 1} (${step.name}): the Job has no namespace and ${run.target.kind} ${run.target.name} has none`,
      );
    return {
      kind: "job",
      name: step.name,
      job: {
        name: jobName(run.remediationId, index, step.name),
        namespace,
        spec,
        remediationId: run.remediationId,
        origin: `${run.workflow.id}@${run.workflow.version}/${step.name}`,
      },
    };
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    throw new ExecutionError(
      "PreconditionFailed",
      `step ${index + 1} (${step.name}) of ${run.workflow.id}: ${error.path}: ${error.message}`,
    );
  }
}

/** One step's part of a dry run: what it is and the exact calls it would send. */
export interface PlannedStep {
  name: string;
  action?: ActionType;
  job?: { name: string; namespace: string; timeout: string; backoffLimit: number };
  calls: PlannedCall[];
}

/**
 * What the whole workflow would send (DESIGN §1, Level 1/2), step by step: each action's calls with its
 * rendered input, each Job's full manifest, and — for a workflow of several steps — the final write of
 * the remediation-id annotation. `calls` is every call in order.
 */
export function plannedWorkflow(run: WorkflowRun): { calls: PlannedCall[]; steps: PlannedStep[] } {
  const steps: PlannedStep[] = run.workflow.steps.map((_, index) => {
    const step = renderStep(run, index);
    if (step.kind === "action")
      return { name: step.name, action: step.action, calls: plannedChange(step.request).calls };
    const manifest = jobManifest(step.job);
    return {
      name: step.name,
      job: {
        name: step.job.name,
        namespace: step.job.namespace,
        timeout: step.job.spec.timeout,
        backoffLimit: step.job.spec.backoffLimit,
      },
      calls: [
        {
          method: "POST",
          path: `/apis/batch/v1/namespaces/${step.job.namespace}/jobs`,
          contentType: "application/json",
          body: manifest,
        },
      ],
    };
  });
  const completion: PlannedCall[] =
    run.workflow.steps.length > 1 && run.target.kind !== "Pod"
      ? [
          {
            method: "PATCH",
            path: apiPath(run.target),
            contentType: "application/merge-patch+json",
            body: { metadata: { annotations: { [REMEDIATION_ANNOTATION]: run.remediationId } } },
          },
        ]
      : [];
  return { calls: [...steps.flatMap((s) => s.calls), ...completion], steps };
}

/** What one call of a step did: finished (with its result), or a Job still running. */
export type StepProgress =
  | ({ state: "done"; logs?: string } & Pick<ExecutionResult, "summary" | "alreadyApplied">)
  | { state: "running"; detail: string; job: string };

/**
 * Runs (or resumes) one step. An action step runs through its executor, idempotent by its stamp and the
 * journal; a Job step creates its Job once (named after the remediation and the step) and reports it
 * running until the Job completes — or throws JobFailed with the Job's reason and its logs' tail when it
 * fails or outlives its timeout. The state machine polls a running Job; no Lambda waits for it.
 */
export async function runStep(
  access: ClusterAccess,
  step: RenderedStep,
  options: { gitOpsManaged?: boolean; journal?: ExecutionJournal; now?: number } = {},
): Promise<StepProgress> {
  if (step.kind === "action") {
    const result = await executeWorkflow(access, step.request, options);
    return { state: "done", summary: result.summary, alreadyApplied: result.alreadyApplied };
  }
  const job = await ensureJob(access, step.job);
  const timeoutMs = parseDuration(step.job.spec.timeout);
  const state = jobState(job, options.now ?? Date.now(), timeoutMs);
  if (state.state === "running") return { state: "running", detail: state.detail, job: step.job.name };
  const logs = await jobLogs(access, step.job);
  if (state.state === "succeeded")
    return { state: "done", summary: state.detail, alreadyApplied: false, logs };
  if (!(job.status?.conditions ?? []).some((c: { type?: string }) => c.type === "Failed"))
    await deleteJob(access, step.job);
  throw new JobFailedError(state.detail, logs);
}

/** A Job step failed; the logs' tail travels with it so the failure record can say why. */
export class JobFailedError extends ExecutionError {
  constructor(
    detail: string,
    readonly logs: string,
  ) {
    const tail = logs.trim().split("\n").slice(-3).join(" | ");
    super("JobFailed", `${detail}${tail ? `; last log lines: ${tail}` : ""}`);
  }
}

/** After the last step of a workflow of several: the remediation-id annotation says it is all done. */
export async function completeWorkflow(access: ClusterAccess, run: WorkflowRun): Promise<void> {
  if (run.workflow.steps.length === 1 || run.target.kind === "Pod") return;
  await withKubernetesRetries(`marking ${run.target.kind} ${run.target.name} done`, () =>
    markCompleted(access, { target: run.target, remediationId: run.remediationId }),
  );
}
