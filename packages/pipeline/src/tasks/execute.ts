import {
  type ClusterAccess,
  completeWorkflow,
  detectLabels,
  ExecutionError,
  JobFailedError,
  renderStep,
  rolloutConverged,
  runStep,
  type StepProgress,
  specHash,
  type WorkflowRun,
  withKubernetesRetries,
} from "@kubernaut/cluster";
import { formatDuration, initialLevel, type RemediationRequest, type StepResult } from "@kubernaut/core";
import { isOscillating } from "@kubernaut/notify";
import { ConcurrentUpdateError, isTransientError, leaseKey } from "@kubernaut/store";
import { logger, metrics } from "@kubernaut/telemetry";
import type { ParameterValue, WorkflowDefinition } from "@kubernaut/workflows";
import { trustLevelOf } from "./analyze";
import { workflowById } from "./catalog";
import { PIPELINE_ACTOR, type PipelineDeps } from "./deps";
import { ExecutorUnavailableError } from "./errors";
import { loadRemediation } from "./load";
import { messages } from "./messages";

/** The kill switch is on: the state machine routes this to Blocked with reason Paused. */
export class PausedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Paused";
  }
}

/** Another remediation holds the target's lease: the state machine routes this to Blocked. */
export class ResourceBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ResourceBusy";
  }
}

/**
 * The workflow about to run is only trusted to be observed in this namespace (Level 2) — an operator's
 * override chose it, or it was demoted while its approval waited: the state machine ends DryRun.
 */
export class ObserveOnlyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ObserveOnly";
  }
}

/**
 * The workflow a remediation runs — the operator's override if there is one — as the catalog has it
 * now. An execution already started keeps the workflow it started with: a different version in the
 * catalog meanwhile refuses to go on rather than mix two versions' steps.
 */
async function workflowOf(
  deps: PipelineDeps,
  rr: RemediationRequest,
): Promise<WorkflowDefinition | undefined> {
  const override = rr.approvalDecision?.override;
  const workflow = await workflowById(
    deps,
    rr.workflowExecution?.workflowId ?? override?.workflowName ?? rr.analysis?.workflowId,
  );
  const expected =
    rr.workflowExecution?.workflowVersion ?? (override ? undefined : rr.analysis?.workflowVersion);
  if (workflow && expected && workflow.version !== expected) {
    throw new WorkflowVersionChangedError(
      `${workflow.id} was ${rr.workflowExecution ? "started" : "analysed and approved"} at version ${expected}, and the catalog now has ${workflow.version}; nothing more was changed`,
    );
  }
  return workflow;
}

/** The catalog's workflow changed version under a remediation: it fails rather than run steps it was not approved with. */
export class WorkflowVersionChangedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WorkflowVersionChanged";
  }
}

const refOf = (target: RemediationRequest["targetResource"]) => ({
  kind: target.kind,
  name: target.name,
  ...(target.namespace ? { namespace: target.namespace } : {}),
});

/** The step record written before a step acts: its name, its action (or Job), and when it started. */
function startedRecord(run: WorkflowRun, index: number, at: string): StepResult {
  const step = renderStep(run, index);
  return {
    index,
    name: step.name,
    action: step.kind === "action" ? step.action : "Job",
    ...(step.kind === "job" ? { job: step.job.name } : {}),
    status: "started",
    startedAt: at,
  };
}

/**
 * Execute (DESIGN §3.7): take the per-target lease, enter Executing, record the WorkflowExecution
 * (workflow id and version, absolute parameters, the pre-change spec hash, the first step started), and
 * run the first step. Further steps follow one ExecuteStep state at a time (`executeStep`).
 * Retries are safe: the lease is re-entrant for its holder and a recorded execution is not recorded
 * again. Without a cluster configured it refuses with ExecutorUnavailable.
 */
export async function execute(deps: PipelineDeps, remediationId: string): Promise<StepTransition> {
  let rr = await loadRemediation(deps, remediationId);
  const config = deps.config();
  const now = deps.now?.() ?? new Date();
  const override = rr.approvalDecision?.override;
  const workflow = await workflowOf(deps, rr);
  const target = rr.targetResource;

  const paused = await deps.trust.paused();
  if (paused.paused) {
    // The kill switch: nothing reaches the cluster while it is on.
    throw new PausedError(`execution is paused by ${paused.by} since ${paused.at}: ${paused.reason}`);
  }
  if (workflow && !rr.workflowExecution) {
    // Routing checked the analysed workflow's level; this is the last word for the workflow that will
    // actually run (an override's own, possibly lower, level), whichever door the decision came through.
    const level = await trustLevelOf(deps, workflow, target.namespace);
    if (level === "observe") {
      throw new ObserveOnlyError(
        `${workflow.id} is at trust level observe${target.namespace ? ` in ${target.namespace}` : ""}: it may not execute until graduated; nothing was changed`,
      );
    }
  }
  if (deps.cluster && workflow) {
    const ttl =
      config.remediationOrchestrator.timeouts.executing + config.remediationOrchestrator.timeouts.verifying;
    const lease = await deps.leases.acquire(leaseKey(target), remediationId, ttl, now);
    if (!lease.acquired) {
      throw new ResourceBusyError(
        `${target.kind}/${target.name} is being remediated by ${lease.holder} (lease until ${lease.until})`,
      );
    }
  }
  if (rr.phase === "Analyzing" || rr.phase === "AwaitingApproval") {
    rr = await deps.store.transition(
      remediationId,
      { to: "Executing", set: { executingAt: now.toISOString() } },
      PIPELINE_ACTOR,
    );
    await warnIfOscillating(deps, rr, now);
    if (workflow) {
      // Statistics for the graduation report: every execution, and approvals in a row.
      const approved = rr.approvalDecision?.decision === "Approved";
      await countWithoutFailing(workflow.id, remediationId, () =>
        deps.trust.count(
          workflow.id,
          { remediations: 1, ...(approved ? { approvals: 1 } : {}) },
          {
            ...(approved ? { approvalsInRow: "increment" as const } : {}),
            registerAs: initialLevel(config.remediationOrchestrator),
          },
        ),
      );
    }
  }
  if (!deps.cluster || !workflow) throw new ExecutorUnavailableError(rr.analysis?.actionType);
  if (rr.workflowExecution) return executeStep(deps, remediationId, 0);

  const parameters = (override?.parameters ?? rr.analysis?.parameters ?? {}) as Record<
    string,
    ParameterValue
  >;
  const ref = refOf(target);
  await deps.cluster.prepare?.(target.cluster);
  const access = deps.cluster.access(target.cluster);
  // Retried like every other call to the cluster: one 5xx or dropped connection must not fail the remediation.
  const current = await withKubernetesRetries(`read ${ref.kind} ${ref.name}`, () => access.read(ref));
  if (workflow.steps.length > 1 && workflow.changesSpec && detectLabels(current).gitOpsManaged === true) {
    // Refused before the first step, so a GitOps-managed target is never left half-remediated.
    throw new ExecutionError(
      "GitOpsManaged",
      `${workflow.id} on ${ref.kind} ${ref.name} refused: the target is GitOps-managed and a spec change would be reverted`,
    );
  }
  // The pre-change spec hash is recorded before anything changes: a retry after a crash finds the change
  // already applied and can no longer see the old spec, and regression detection keys on this hash.
  const preHash = await withKubernetesRetries(`hash ${ref.kind} ${ref.name}`, () =>
    specHash(target.kind, current, access.core),
  );
  const snapshot = {
    workflowId: workflow.id,
    workflowVersion: workflow.version,
    actionType: workflow.actionType,
    parameters,
    target,
    startedAt: now.toISOString(),
  };
  const run = { remediationId, workflow, parameters, target };
  const execution = { ...snapshot, preHash, stepResults: [startedRecord(run, 0, now.toISOString())] };
  await deps.store.appendAudit(
    remediationId,
    {
      type: "WorkflowExecutionStarted",
      at: now.toISOString(),
      actor: PIPELINE_ACTOR,
      details: { ...snapshot, preHash, steps: workflow.steps.map((s) => s.name) },
    },
    { set: { workflowExecution: execution } },
  );
  // The first step runs here rather than in its own ExecuteStep state: a one-step workflow (every
  // built-in) costs the state machine no more transitions than before workflows had steps.
  return executeStep(deps, remediationId, 0);
}

/** Where the state machine goes after a step: the next one, the same one again (a Job running), or verification. */
export interface StepTransition {
  step: number;
  /** Every step is done: on to verification. */
  done: boolean;
  /** A Job is still running: wait, then poll the same step. */
  waiting: boolean;
}

/**
 * One step of the workflow (the ExecuteStep state, looped by the state machine). A step recorded done
 * is never run again; a started one is resumed — its action's stamp and the journal keep it from acting
 * twice, a Job step finds its Job. Done is recorded with the next step's start in one write (the last
 * step's with WorkflowExecuted), so a crash between steps resumes at the first step not done. A step
 * that fails is recorded failed, and the remediation ends Failed naming the step and why.
 */
export async function executeStep(
  deps: PipelineDeps,
  remediationId: string,
  index: number,
): Promise<StepTransition> {
  const rr = await loadRemediation(deps, remediationId);
  const workflow = await workflowOf(deps, rr);
  let execution = rr.workflowExecution;
  if (!deps.cluster || !workflow || !execution) throw new ExecutorUnavailableError(rr.analysis?.actionType);
  const count = workflow.steps.length;
  const results = [...(execution.stepResults ?? [])];
  // A step recorded done is not run again. The last one is (a retry after WorkflowExecuted): its stamp
  // makes it a no-op that says so, and the record shows the retry found the change applied.
  if (index < count - 1 && results.find((r) => r.index === index)?.status === "done")
    return { step: index + 1, done: false, waiting: false };
  const now = deps.now?.() ?? new Date();
  const target = execution.target;
  const parameters = execution.parameters as Record<string, ParameterValue>;
  const run: WorkflowRun = { remediationId, workflow, parameters, target };
  await deps.cluster.prepare?.(target.cluster);
  const access = deps.cluster.access(target.cluster);
  const label = count > 1 ? `step ${index + 1} of ${count} (${workflow.steps[index]?.name}): ` : "";

  // The executor's journal lives on the WorkflowExecution, so a retry in another Lambda resumes the same
  // steps (the same pod to delete) instead of choosing again. The first step's keys are bare, as they
  // were before workflows had several steps.
  const prefix = index === 0 ? "" : `${index}:`;
  const journalled: Record<string, string> = { ...(execution.steps ?? {}) };
  const scoped = Object.fromEntries(
    Object.entries(journalled).flatMap(([k, v]) =>
      prefix === ""
        ? /^\d+:/.test(k)
          ? []
          : [[k, v]]
        : k.startsWith(prefix)
          ? [[k.slice(prefix.length), v]]
          : [],
    ),
  );
  const journal = {
    steps: scoped,
    record: async (step: string, detail: string) => {
      scoped[step] = detail;
      journalled[`${prefix}${step}`] = detail;
      execution = { ...(execution as NonNullable<typeof execution>), steps: { ...journalled } };
      await deps.store.appendAudit(
        remediationId,
        {
          type: "WorkflowStepRecorded",
          at: (deps.now?.() ?? new Date()).toISOString(),
          actor: PIPELINE_ACTOR,
          details: { step, detail, ...(count > 1 ? { workflowStep: index } : {}) },
        },
        { set: { workflowExecution: execution } },
      );
    },
  };
  if (!results.some((r) => r.index === index)) results.push(startedRecord(run, index, now.toISOString()));
  const started = results.find((r) => r.index === index) as StepResult;
  let progress: StepProgress;
  try {
    const current =
      target.kind === "Pod"
        ? undefined
        : await withKubernetesRetries(`read ${target.kind} ${target.name}`, () => access.read(refOf(target)));
    progress = await runStep(access, renderStep(run, index), {
      gitOpsManaged: current ? detectLabels(current).gitOpsManaged === true : false,
      journal,
      now: now.getTime(),
    });
  } catch (error) {
    if (isTransientError(error) || error instanceof ConcurrentUpdateError) throw error;
    const message = `${label}${(error as Error).message}`;
    const failed = results.map((r) =>
      r.index === index
        ? {
            ...r,
            status: "failed" as const,
            doneAt: now.toISOString(),
            error: message,
            ...(error instanceof JobFailedError ? { logs: error.logs } : {}),
          }
        : r,
    );
    await deps.store.appendAudit(
      remediationId,
      {
        type: "WorkflowStepFailed",
        at: now.toISOString(),
        actor: PIPELINE_ACTOR,
        details: { step: index, name: workflow.steps[index]?.name, error: message },
      },
      { set: { workflowExecution: { ...execution, stepResults: failed } } },
    );
    if (label && error instanceof Error) error.message = message;
    throw error;
  }
  if (progress.state === "running") {
    // A Job may run longer than the lease was taken for: the holder renews it while it waits.
    const { executing, verifying } = deps.config().remediationOrchestrator.timeouts;
    await deps.leases.acquire(leaseKey(target), remediationId, executing + verifying, now);
    return { step: index, done: false, waiting: true };
  }

  const { logs: _, error: __, ...startedOnly } = started;
  const done: StepResult = {
    ...startedOnly,
    status: "done",
    doneAt: now.toISOString(),
    summary: progress.summary,
    alreadyApplied: progress.alreadyApplied,
    ...(progress.logs !== undefined ? { logs: progress.logs } : {}),
  };
  const recorded = results.map((r) => (r.index === index ? done : r));
  if (index + 1 < count) {
    // This step's end and the next one's start, in one write.
    const next = [...recorded, startedRecord(run, index + 1, now.toISOString())];
    await deps.store.appendAudit(
      remediationId,
      {
        type: "WorkflowStepCompleted",
        at: now.toISOString(),
        actor: PIPELINE_ACTOR,
        details: { step: index, name: done.name, summary: done.summary, alreadyApplied: done.alreadyApplied },
      },
      { set: { workflowExecution: { ...execution, stepResults: next } } },
    );
    return { step: index + 1, done: false, waiting: false };
  }
  await completeWorkflow(access, run);
  const config = deps.config();
  const deadline = new Date(now.getTime() + config.remediationOrchestrator.timeouts.verifying).toISOString();
  const after = await readIfPresent(access, refOf(target));
  const postHash = after
    ? await withKubernetesRetries(`hash ${target.kind} ${target.name}`, () =>
        specHash(target.kind, after, access.core),
      )
    : undefined;
  const summaries = recorded.map((r) => r.summary ?? "");
  const summary =
    count === 1 ? (summaries[0] ?? "") : recorded.map((r) => `${r.name}: ${r.summary}`).join("; ");
  const alreadyApplied = recorded.every((r) => r.alreadyApplied === true);
  const applied = {
    ...execution,
    summary,
    alreadyApplied,
    ...(postHash ? { postHash } : {}),
    stepResults: recorded,
    appliedAt: now.toISOString(),
    deadline,
  };
  await deps.store.appendAudit(
    remediationId,
    {
      type: "WorkflowExecuted",
      at: now.toISOString(),
      actor: PIPELINE_ACTOR,
      details: { summary, preHash: applied.preHash, postHash, alreadyApplied },
    },
    { set: { workflowExecution: applied } },
  );
  return { step: count, done: true, waiting: false };
}

/** The target after the change, or undefined when the change removed it (a deleted Pod target). */
async function readIfPresent(access: ClusterAccess, ref: ReturnType<typeof refOf>) {
  try {
    return await withKubernetesRetries(`read ${ref.kind} ${ref.name}`, () => access.read(ref));
  } catch (error) {
    if (ref.kind === "Pod" && error instanceof Error && error.name === "TargetNotFound") return undefined;
    throw error;
  }
}

/** Verify rollout (DESIGN §3.8): converged, or past its deadline; the lease is renewed while waiting. */
export async function checkRollout(
  deps: PipelineDeps,
  remediationId: string,
): Promise<{ converged: boolean; deadlinePassed: boolean }> {
  const rr = await loadRemediation(deps, remediationId);
  const execution = rr.workflowExecution;
  if (!deps.cluster || !execution) throw new ExecutorUnavailableError(rr.analysis?.actionType);
  const now = deps.now?.() ?? new Date();
  const config = deps.config();
  const target = execution.target;
  await deps.leases.acquire(
    leaseKey(target),
    remediationId,
    config.remediationOrchestrator.timeouts.verifying,
    now,
  );
  const ref = {
    kind: target.kind,
    name: target.name,
    ...(target.namespace ? { namespace: target.namespace } : {}),
  };
  await deps.cluster.prepare?.(target.cluster);
  const { converged, detail } = await rolloutConverged(deps.cluster.access(target.cluster), ref, {
    actionType: execution.actionType,
    parameters: execution.parameters,
  });
  await deps.store.appendAudit(
    remediationId,
    { type: "RolloutChecked", at: now.toISOString(), actor: PIPELINE_ACTOR, details: { converged, detail } },
    { set: { workflowExecution: { ...execution, rollout: detail } } },
  );
  return {
    converged,
    deadlinePassed: !converged && Date.parse(execution.deadline ?? now.toISOString()) <= now.getTime(),
  };
}

/**
 * Statistics feed the graduation report, but an approved remediation must never fail over them: a count
 * that cannot be written is logged and counted in metrics, and the execution goes on.
 */
async function countWithoutFailing(
  workflowId: string,
  remediationId: string,
  count: () => Promise<void>,
): Promise<void> {
  try {
    await count();
  } catch (error) {
    metrics.inc(
      "kubernaut_workflow_statistics_lost_total",
      "Workflow statistics that could not be recorded (the remediation went on)",
      { workflow: workflowId },
    );
    logger.warn("could not count the execution in the workflow's statistics", {
      workflowId,
      remediationId,
      error,
    });
  }
}

/** The same target executed more than N times in the window raises one Escalation (DESIGN: oscillation). */
async function warnIfOscillating(deps: PipelineDeps, rr: RemediationRequest, now: Date): Promise<void> {
  const { maxRemediations, window } = deps.config().notification.oscillation;
  const history = await deps.store.list({ fingerprint: rr.fingerprint, limit: 100 });
  const times = history.items.flatMap((r) => (r.executingAt ? [Date.parse(r.executingAt)] : []));
  if (!isOscillating(times, now.getTime(), maxRemediations, window)) return;
  await deps.notifier.notify({
    type: "Escalation",
    remediation: rr,
    ...messages.oscillation(rr, times.length, formatDuration(window)),
    key: "oscillation",
  });
}

/** Record outcome (DESIGN §3.9): Executing → Verifying, the lease released; the effectiveness monitor takes over. */
export async function recordOutcome(
  deps: PipelineDeps,
  remediationId: string,
): Promise<Record<string, never>> {
  const rr = await loadRemediation(deps, remediationId);
  const now = deps.now?.() ?? new Date();
  const execution = rr.workflowExecution;
  if (execution) {
    // Due after the stabilization window (DESIGN §8: 5 min); the monitor claims and scores it.
    await deps.assessments.schedule({
      remediationId,
      fingerprint: rr.fingerprint,
      workflowId: execution.workflowId,
      ...(rr.targetResource.namespace ? { namespace: rr.targetResource.namespace } : {}),
      target: execution.target,
      alertName: rr.signal.alertName,
      ...(execution.postHash ? { postHash: execution.postHash } : {}),
      executedAt: execution.appliedAt ?? now.toISOString(),
      dueAt: new Date(now.getTime() + deps.config().effectivenessMonitor.stabilizationWindow).toISOString(),
    });
  }
  if (rr.phase === "Executing") {
    const verifying = await deps.store.transition(
      remediationId,
      {
        from: ["Executing"],
        to: "Verifying",
        ...(rr.workflowExecution
          ? { set: { workflowExecution: { ...rr.workflowExecution, completedAt: now.toISOString() } } }
          : {}),
      },
      PIPELINE_ACTOR,
    );
    await deps.notifier.notify({
      type: "StatusUpdate",
      remediation: verifying,
      ...messages.verifying(verifying),
      key: "verifying",
    });
  }
  await deps.leases.release(leaseKey(rr.targetResource), remediationId);
  return {};
}
