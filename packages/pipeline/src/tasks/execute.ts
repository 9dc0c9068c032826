import {
  detectLabels,
  executeWorkflow,
  rolloutConverged,
  specHash,
  withKubernetesRetries,
} from "@kubernaut/cluster";
import { formatDuration, initialLevel, type RemediationRequest } from "@kubernaut/core";
import { isOscillating } from "@kubernaut/notify";
import { leaseKey } from "@kubernaut/store";
import { logger, metrics } from "@kubernaut/telemetry";
import { findWorkflow, type ParameterValue } from "@kubernaut/workflows";
import { trustLevelOf } from "./analyze";
import { catalogOf } from "./catalog";
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
 * Execute (DESIGN §3.7): take the per-target lease, then run the approved workflow (the operator's
 * override if there is one) through the executors, recording the WorkflowExecution with its pre/post
 * spec hashes. Retries are safe: the executors recognise their own annotation, and the lease is
 * re-entrant for its holder. Without a cluster configured it refuses with ExecutorUnavailable.
 */
export async function execute(deps: PipelineDeps, remediationId: string): Promise<{ deadline: string }> {
  let rr = await loadRemediation(deps, remediationId);
  const config = deps.config();
  const now = deps.now?.() ?? new Date();
  const override = rr.approvalDecision?.override;
  const workflow = findWorkflow(
    override?.workflowName ?? rr.analysis?.workflowId ?? "",
    await catalogOf(deps),
  );
  const target = rr.targetResource;

  const paused = await deps.trust.paused();
  if (paused.paused) {
    // The kill switch: nothing reaches the cluster while it is on.
    throw new PausedError(`execution is paused by ${paused.by} since ${paused.at}: ${paused.reason}`);
  }
  if (workflow && !rr.workflowExecution) {
    // Routing checked the analysed workflow's level; this is the last word for the workflow that will
    // actually run (an override's own, possibly lower, level), whichever door the decision came through.
    const level = await trustLevelOf(deps, workflow.id, target.namespace);
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

  const parameters = (override?.parameters ?? rr.analysis?.parameters ?? {}) as Record<
    string,
    ParameterValue
  >;
  const ref = {
    kind: target.kind,
    name: target.name,
    ...(target.namespace ? { namespace: target.namespace } : {}),
  };
  await deps.cluster.prepare?.(target.cluster);
  const access = deps.cluster.access(target.cluster);
  const started = rr.workflowExecution?.startedAt ?? now.toISOString();
  const snapshot = {
    workflowId: workflow.id,
    workflowVersion: workflow.version,
    actionType: workflow.actionType,
    parameters,
    target,
    startedAt: started,
  };
  // Retried like every other call to the cluster: one 5xx or dropped connection must not fail the remediation.
  // A Pod target an earlier attempt already deleted is gone: the executor's journal says so.
  const current = await withKubernetesRetries(`read ${ref.kind} ${ref.name}`, () => access.read(ref)).catch(
    (error: unknown) => {
      const deleted = ref.kind === "Pod" && rr.workflowExecution?.steps?.victim !== undefined;
      if (deleted && error instanceof Error && error.name === "TargetNotFound") return undefined;
      throw error;
    },
  );
  const labels = current ? detectLabels(current) : {};
  // The pre-change spec hash is recorded before anything changes: a retry after a crash finds the change
  // already applied and can no longer see the old spec, and regression detection keys on this hash.
  let execution = rr.workflowExecution;
  if (!execution && current) {
    const preHash = await withKubernetesRetries(`hash ${ref.kind} ${ref.name}`, () =>
      specHash(target.kind, current, access.core),
    );
    execution = { ...snapshot, preHash };
    await deps.store.appendAudit(
      remediationId,
      {
        type: "WorkflowExecutionStarted",
        at: now.toISOString(),
        actor: PIPELINE_ACTOR,
        details: { ...snapshot, preHash },
      },
      { set: { workflowExecution: execution } },
    );
  }
  const preHash = execution?.preHash;
  // The executor's journal lives on the WorkflowExecution, so a retry in another Lambda resumes the same
  // steps (the same pod to delete) instead of choosing again.
  const steps: Record<string, string> = { ...(execution?.steps ?? {}) };
  const journal = {
    steps,
    record: async (step: string, detail: string) => {
      steps[step] = detail;
      execution = { ...(execution ?? { ...snapshot }), steps: { ...steps } };
      await deps.store.appendAudit(
        remediationId,
        {
          type: "WorkflowStepRecorded",
          at: (deps.now?.() ?? new Date()).toISOString(),
          actor: PIPELINE_ACTOR,
          details: { step, detail },
        },
        { set: { workflowExecution: execution } },
      );
    },
  };
  const result = await executeWorkflow(
    access,
    {
      remediationId,
      actionType: workflow.actionType,
      changesSpec: workflow.changesSpec,
      target: ref,
      parameters,
    },
    { gitOpsManaged: labels.gitOpsManaged === true, journal },
  );
  const deadline = new Date(now.getTime() + config.remediationOrchestrator.timeouts.verifying).toISOString();
  const applied = {
    ...snapshot,
    ...result,
    preHash: preHash ?? result.preHash,
    ...(Object.keys(steps).length > 0 ? { steps } : {}),
    appliedAt: now.toISOString(),
    deadline,
  };
  await deps.store.appendAudit(
    remediationId,
    {
      type: "WorkflowExecuted",
      at: now.toISOString(),
      actor: PIPELINE_ACTOR,
      details: {
        summary: result.summary,
        preHash: applied.preHash,
        postHash: result.postHash,
        alreadyApplied: result.alreadyApplied,
      },
    },
    { set: { workflowExecution: applied } },
  );
  return { deadline };
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
