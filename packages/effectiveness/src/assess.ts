import { randomBytes } from "node:crypto";
import { type ClusterAccess, specHash } from "@kubernaut/cluster";
import type { Config } from "@kubernaut/config";
import {
  type Actor,
  assessHealth,
  type Component,
  type ComponentResult,
  describeComponents,
  describeEffectiveness,
  type EffectivenessRecord,
  type NotAssessed,
  type RemediationRequest,
  scoreAssessment,
  TARGET_NOT_FOUND,
  targetStatusOf,
} from "@kubernaut/core";
import {
  AlongsideConditionFailedError,
  type Assessment,
  type AssessmentResult,
  type AssessmentStore,
  ConcurrentUpdateError,
  type RemediationStore,
  type StatsDelta,
  type StatsExtra,
  type TrustStore,
  type VersionedRemediation,
} from "@kubernaut/store";
import { logger, metrics } from "@kubernaut/telemetry";
import { podStateOf } from "./pods";
import { alertStillActive, promInstant, restartsScore } from "./sources";

export interface AssessDeps {
  config: () => Config;
  store: RemediationStore;
  assessments: AssessmentStore;
  trust: TrustStore;
  cluster?: {
    access(cluster: string | undefined): ClusterAccess;
    prepare?(cluster: string | undefined): Promise<void>;
  };
  /**
   * Announces the result (Completion); optional. `remediation` is the remediation as this run left it,
   * when the run has it, so announcing it needs no read (announceAssessed); otherwise notifyAssessed
   * reads it.
   */
  notify?: (remediationId: string, remediation?: RemediationRequest) => Promise<void>;
  now?: () => Date;
}

const MONITOR: Actor = { type: "system", id: "effectiveness-monitor", channel: "pipeline" };
const CLAIM_MS = 5 * 60_000;
/**
 * Kinds whose health is their pods'. Others (an HPA, a PDB, a PVC, a CronJob) have no pods of their
 * own: their health is not assessed rather than scored 0 for pods they were never meant to have.
 */
const POD_OWNERS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Pod"]);

/**
 * One run of the effectiveness monitor (DESIGN §3.10): every due assessment is claimed with a
 * conditional write (overlapping runs never process one twice) and assessed with bounded concurrency.
 * Returns what it did, for the schedule's log.
 */
export async function assessDue(deps: AssessDeps, options: { limit?: number } = {}) {
  const now = deps.now?.() ?? new Date();
  const runId = `run-${now.getTime().toString(36)}-${randomBytes(3).toString("hex")}`;
  const due = await deps.assessments.due(now, options.limit ?? 1_000);
  const processed: string[] = [];
  const rescheduled: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < due.length) {
      const assessment = due[next++] as Assessment;
      if (!(await deps.assessments.claim(assessment.remediationId, runId, now, CLAIM_MS))) continue;
      try {
        const result = await assessOne(deps, assessment, runId, now);
        if (result === "superseded")
          // This run's claim lapsed and another run completed the assessment: it is that run's.
          logger.info("assessment completed by another run", { remediationId: assessment.remediationId });
        else (result === "rescheduled" ? rescheduled : processed).push(assessment.remediationId);
      } catch (error) {
        // The claim lapses and a later run tries again; one bad assessment does not stop the others.
        logger.error("assessment failed", { remediationId: assessment.remediationId, error });
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, deps.config().effectivenessMonitor.concurrency) }, worker),
  );
  return { runId, due: due.length, processed, rescheduled };
}

async function assessOne(
  deps: AssessDeps,
  assessment: Assessment,
  runId: string,
  now: Date,
): Promise<"completed" | "rescheduled" | "superseded"> {
  const config = deps.config().effectivenessMonitor;
  // Read once, with its audit head: the completion below starts its conditional write from this read.
  const rr = await deps.store.getVersioned(assessment.remediationId);
  const target = assessment.target;
  const components: Partial<Record<Component, number>> = {};
  /** Per scored component, in words: what its score rests on. */
  const details: Partial<Record<Component, string>> = {};
  const notAssessed: Partial<Record<Component, NotAssessed>> = {};
  // Kubernaut's enabled components: those with a source here. One scored without (the alert, by the
  // resolved webhook) still counts; one missing without a source does not make the assessment Partial.
  const expected: Component[] = [
    ...(deps.cluster ? (["health"] as const) : []),
    ...(config.alertmanagerUrl ? (["alert"] as const) : []),
    ...(config.prometheusUrl ? (["metrics"] as const) : []),
  ];
  const score = (component: Component, result: ComponentResult) => {
    components[component] = result.score;
    details[component] = result.details;
  };
  let targetGone = false;
  let specDrift = false;

  if (!deps.cluster) notAssessed.health = { why: "NoSource", details: "no cluster access" };
  else {
    await deps.cluster.prepare?.(target.cluster);
    const access = deps.cluster.access(target.cluster);
    const ref = {
      kind: target.kind,
      name: target.name,
      ...(target.namespace ? { namespace: target.namespace } : {}),
    };
    try {
      const current = await access.read(ref);
      if (target.kind === "Node")
        score(
          "health",
          current.spec?.unschedulable
            ? { score: 1, details: "node cordoned" }
            : { score: 0.5, details: "node schedulable" },
        );
      else if (POD_OWNERS.has(target.kind)) {
        // A Pod target is its own pod set; a workload's pods are found by its selector.
        const pods = target.kind === "Pod" ? [current] : await access.podsOf(current);
        score("health", assessHealth(targetStatusOf(pods.map(podStateOf), new Date(assessment.executedAt))));
      } else
        notAssessed.health = { why: "NotApplicable", details: `a ${target.kind} has no pods of its own` };
      if (assessment.postHash)
        specDrift = (await specHash(target.kind, current, access.core)) !== assessment.postHash;
    } catch (error) {
      if ((error as { code?: number }).code !== 404) throw error;
      targetGone = true;
      score("health", assessHealth(TARGET_NOT_FOUND));
    }
  }

  // Alert resolution: the resolved webhook is the fast signal; Alertmanager's API is asked otherwise.
  let alertDecayTimedOut = false;
  if (rr?.signalResolvedAt) {
    score("alert", { score: 1, details: "resolved notification received" });
  } else if (!config.alertmanagerUrl) {
    notAssessed.alert = {
      why: "NoSource",
      details: "no Alertmanager configured and no resolved notification received",
    };
  } else {
    const active = await alertStillActive(config.alertmanagerUrl, assessment.alertName, target);
    if (active === undefined) notAssessed.alert = { why: "NoData", details: "Alertmanager did not answer" };
    else if (!active) score("alert", { score: 1, details: "no longer firing in Alertmanager" });
    else {
      // Alerts decay: a firing alert may clear after its `for` window, so look again before judging.
      if (assessment.alertChecks + 1 < config.alertDecayChecks) {
        const later = new Date(now.getTime() + config.stabilizationWindow / 2);
        await deps.assessments.reschedule(assessment.remediationId, later, assessment.alertChecks + 1);
        return "rescheduled";
      }
      score("alert", { score: 0, details: `still firing after ${assessment.alertChecks + 1} checks` });
      alertDecayTimedOut = true;
    }
  }

  if (!config.prometheusUrl) notAssessed.metrics = { why: "NoSource", details: "no Prometheus configured" };
  else if (!target.namespace)
    notAssessed.metrics = { why: "NotApplicable", details: "restart metrics need a namespaced target" };
  else {
    const window = Math.max(60, Math.round(config.stabilizationWindow / 1000));
    const query = `sum(increase(kube_pod_container_status_restarts_total{namespace="${target.namespace}",pod=~"${target.name}-.*"}[${window}s]))`;
    const executedAt = new Date(assessment.executedAt);
    const [before, after] = await Promise.all([
      promInstant(config.prometheusUrl, query, executedAt),
      promInstant(config.prometheusUrl, query, now),
    ]);
    if (before === undefined || after === undefined)
      notAssessed.metrics = { why: "NoData", details: "Prometheus returned no restart series" };
    else
      score("metrics", {
        score: restartsScore(before, after),
        details: `${before} restarts in the window before the remediation, ${after} after`,
      });
  }

  const result = scoreAssessment({
    components,
    expected,
    notAssessed,
    specDrift,
    targetGone,
    alertDecayTimedOut,
  });
  const recorded = Object.fromEntries(
    Object.entries(components).filter(([, v]) => v !== undefined),
  ) as Record<string, number>;
  const words: Record<string, string> = {
    ...(details as Record<string, string>),
    ...Object.fromEntries(Object.entries(notAssessed).map(([c, n]) => [c, `not assessed: ${n.details}`])),
  };
  const effectiveness = {
    score: result.score,
    reason: result.reason,
    completeness: result.completeness,
    components: recorded,
    details: words,
  };
  const written = await recordAssessment(deps, {
    assessment,
    runId,
    remediation: rr,
    result,
    effectiveness,
    statistics: statisticsOf(result, now),
    now,
  });
  if (written === "superseded") return "superseded";
  metrics.inc(
    "kubernaut_effectivenessmonitor_assessments_completed_total",
    "Effectiveness assessments completed, by reason",
    { reason: result.reason },
  );
  if (deps.notify) await deps.notify(assessment.remediationId, written.remediation);
  return "completed";
}

/**
 * What an assessment adds to its workflow's statistics. Only a score is evidence for or against the
 * workflow: an assessment that measured nothing is neither counted as assessed nor as a failure.
 */
export function statisticsOf(
  result: { score: number | null; reason: string },
  now: Date,
): { delta: StatsDelta; extra: StatsExtra } | undefined {
  if (result.score === null) return undefined;
  return {
    delta: { assessed: 1, full: result.reason === "Full" ? 1 : 0, scoreSum: result.score },
    extra: result.score < 0.5 ? { failure: { at: now.toISOString(), reason: result.reason } } : {},
  };
}

/**
 * Writes what an assessment found (issue 22). While the remediation is Verifying, one transaction
 * completes the assessment (conditioned on this run's claim), moves the remediation to Completed with
 * its audit event and fingerprint phase, and counts the workflow's statistics: the result is recorded
 * and counted together, once. A workflow without a record is completed without the count, which then
 * registers and counts on its own (counting never fails a remediation). A remediation that is not
 * Verifying (any more) only has its assessment completed and counted. "superseded": another run holds
 * or finished the assessment, and nothing was written.
 */
async function recordAssessment(
  deps: AssessDeps,
  input: {
    assessment: Assessment;
    runId: string;
    remediation: VersionedRemediation | undefined;
    result: ReturnType<typeof scoreAssessment>;
    effectiveness: Omit<AssessmentResult, "at">;
    statistics: ReturnType<typeof statisticsOf>;
    now: Date;
  },
): Promise<{ remediation?: RemediationRequest } | "superseded"> {
  const { assessment, runId, result, effectiveness, statistics, now } = input;
  const id = assessment.remediationId;
  const completion = deps.assessments.completion(id, { ...effectiveness, at: now }, runId);
  // The workflow's statistics are counted in their own UpdateItem, not in the transaction: every
  // assessment of a workflow writes its one record, and DynamoDB cancels concurrent transactions that
  // touch the same item (TransactionConflict), which a sweep at concurrency 16 would hit constantly.
  const countApart = () =>
    statistics
      ? deps.trust.count(assessment.workflowId, statistics.delta, statistics.extra).catch(() => undefined)
      : undefined;
  let current: RemediationRequest | undefined = input.remediation;
  if (input.remediation?.phase === "Verifying") {
    const change = {
      from: ["Verifying"] as const,
      to: "Completed" as const,
      outcome: result.outcome,
      reason: `effectiveness ${describeEffectiveness(result)}`,
      set: { effectiveness: { ...effectiveness, assessedAt: now.toISOString() } },
      event: "EffectivenessAssessed",
    };
    try {
      const completed = await deps.store.transition(id, change, MONITOR, effectiveness, {
        current: input.remediation,
        alongside: [completion],
      });
      await countApart();
      return { remediation: completed };
    } catch (error) {
      if (error instanceof AlongsideConditionFailedError) return "superseded";
      if (!(error instanceof ConcurrentUpdateError)) throw error;
      // Completed meanwhile (an operator, an earlier run) is the fallback below; still Verifying is a
      // race that kept being lost: the claim lapses and a later run tries again.
      current = await deps.store.get(id);
      if (current?.phase === "Verifying") throw error;
    }
  }
  if (!(await deps.assessments.complete(id, { ...effectiveness, at: now }, runId))) return "superseded";
  await countApart();
  return current ? { remediation: current } : {};
}

/**
 * The Completion notification's words: the outcome, then the score with what it rests on, so a 1.00
 * from health alone reads as what it is and a remediation nothing could measure says why.
 */
export function completionMessage(rr: RemediationRequest & { effectiveness: EffectivenessRecord }): {
  subject: string;
  body: string;
} {
  const target = `${rr.targetResource.kind}/${rr.targetResource.name}`;
  const summary = `effectiveness ${describeEffectiveness(rr.effectiveness)}`;
  const components = describeComponents(rr.effectiveness);
  return {
    subject: `${rr.outcome === "Remediated" ? "Remediated" : "Inconclusive"}: ${target} (${summary})`,
    body: [
      `${rr.workflowExecution?.workflowId ?? "the workflow"} on ${target}: ${summary}.`,
      components.length ? `${components.join("; ")}.` : "",
      `Assessment: ${rr.effectiveness.reason}.`,
    ]
      .filter(Boolean)
      .join("\n"),
  };
}

/** Where the Completion notification goes (the notifications port). */
export interface CompletionNotifier {
  notify(input: {
    type: "Completion";
    remediation: RemediationRequest;
    subject: string;
    body: string;
  }): Promise<void>;
}

/** The Completion notification once a remediation is assessed, read from the store. */
export async function notifyAssessed(
  store: RemediationStore,
  notifier: CompletionNotifier,
  remediationId: string,
): Promise<void> {
  const rr = await store.get(remediationId);
  if (rr) await announceAssessed(notifier, rr);
}

/** The Completion notification of a remediation the caller already holds (the monitor's, just written). */
export async function announceAssessed(notifier: CompletionNotifier, rr: RemediationRequest): Promise<void> {
  if (!rr.effectiveness) return;
  await notifier.notify({
    type: "Completion",
    remediation: rr,
    ...completionMessage({ ...rr, effectiveness: rr.effectiveness }),
  });
}
