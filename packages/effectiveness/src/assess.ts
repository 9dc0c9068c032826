import { randomBytes } from "node:crypto";
import { type ClusterAccess, specHash } from "@kubernaut/cluster";
import type { Config } from "@kubernaut/config";
import {
  type Actor,
  assessHealth,
  type Component,
  type ComponentResult,
  scoreAssessment,
  TARGET_NOT_FOUND,
  targetStatusOf,
} from "@kubernaut/core";
import type { Assessment, AssessmentStore, RemediationStore, TrustStore } from "@kubernaut/store";
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
  /** Announces the result (Completion); optional. */
  notify?: (remediationId: string) => Promise<void>;
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
        const result = await assessOne(deps, assessment, now);
        (result === "rescheduled" ? rescheduled : processed).push(assessment.remediationId);
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
  now: Date,
): Promise<"completed" | "rescheduled"> {
  const config = deps.config().effectivenessMonitor;
  const rr = await deps.store.get(assessment.remediationId);
  const target = assessment.target;
  const components: Partial<Record<Component, number>> = {};
  /** Per component, in words: what its score rests on. */
  const details: Partial<Record<Component, string>> = {};
  const expected: Component[] = ["health", "alert", ...(config.prometheusUrl ? (["metrics"] as const) : [])];
  let targetGone = false;
  let specDrift = false;

  if (deps.cluster) {
    await deps.cluster.prepare?.(target.cluster);
    const access = deps.cluster.access(target.cluster);
    const ref = {
      kind: target.kind,
      name: target.name,
      ...(target.namespace ? { namespace: target.namespace } : {}),
    };
    try {
      const current = await access.read(ref);
      let health: ComponentResult | undefined;
      if (target.kind === "Node") {
        health = current.spec?.unschedulable
          ? { score: 1, details: "node cordoned" }
          : { score: 0.5, details: "node schedulable" };
      } else if (POD_OWNERS.has(target.kind)) {
        // A Pod target is its own pod set; a workload's pods are found by its selector.
        const pods = target.kind === "Pod" ? [current] : await access.podsOf(current);
        health = assessHealth(targetStatusOf(pods.map(podStateOf), new Date(assessment.executedAt)));
      }
      if (health) {
        components.health = health.score;
        details.health = health.details;
      }
      if (assessment.postHash)
        specDrift = (await specHash(target.kind, current, access.core)) !== assessment.postHash;
    } catch (error) {
      if ((error as { code?: number }).code !== 404) throw error;
      targetGone = true;
      const health = assessHealth(TARGET_NOT_FOUND);
      components.health = health.score;
      details.health = health.details;
    }
  }

  // Alert resolution: the resolved webhook is the fast signal; Alertmanager's API is asked otherwise.
  let alertDecayTimedOut = false;
  if (rr?.signalResolvedAt) {
    components.alert = 1;
  } else if (config.alertmanagerUrl) {
    const active = await alertStillActive(config.alertmanagerUrl, assessment.alertName, target);
    if (active === false) components.alert = 1;
    else if (active === true) {
      // Alerts decay: a firing alert may clear after its `for` window, so look again before judging.
      if (assessment.alertChecks + 1 < config.alertDecayChecks) {
        const later = new Date(now.getTime() + config.stabilizationWindow / 2);
        await deps.assessments.reschedule(assessment.remediationId, later, assessment.alertChecks + 1);
        return "rescheduled";
      }
      components.alert = 0;
      alertDecayTimedOut = true;
    }
  }

  if (config.prometheusUrl && target.namespace) {
    const window = Math.max(60, Math.round(config.stabilizationWindow / 1000));
    const query = `sum(increase(kube_pod_container_status_restarts_total{namespace="${target.namespace}",pod=~"${target.name}-.*"}[${window}s]))`;
    const executedAt = new Date(assessment.executedAt);
    const [before, after] = await Promise.all([
      promInstant(config.prometheusUrl, query, executedAt),
      promInstant(config.prometheusUrl, query, now),
    ]);
    if (before !== undefined && after !== undefined) components.metrics = restartsScore(before, after);
  }

  const result = scoreAssessment({ components, expected, specDrift, targetGone, alertDecayTimedOut });
  const recorded = Object.fromEntries(
    Object.entries(components).filter(([, v]) => v !== undefined),
  ) as Record<string, number>;
  await deps.assessments.complete(assessment.remediationId, { components: recorded, ...result, at: now });
  if (rr && rr.phase === "Verifying") {
    await deps.store.transition(
      rr.id,
      {
        from: ["Verifying"],
        to: "Completed",
        outcome: result.outcome,
        reason: `effectiveness ${result.score} (${result.reason})`,
        set: {
          effectiveness: {
            score: result.score,
            reason: result.reason,
            components: recorded,
            assessedAt: now.toISOString(),
          },
        },
        event: "EffectivenessAssessed",
      },
      MONITOR,
      { score: result.score, reason: result.reason, components: recorded },
    );
  }
  await deps.trust
    .count(
      assessment.workflowId,
      { assessed: 1, full: result.reason === "Full" ? 1 : 0, scoreSum: result.score },
      result.score < 0.5 ? { failure: { at: now.toISOString(), reason: result.reason } } : {},
    )
    .catch(() => undefined);
  metrics.inc(
    "kubernaut_effectivenessmonitor_assessments_completed_total",
    "Effectiveness assessments completed, by reason",
    { reason: result.reason },
  );
  if (deps.notify) await deps.notify(assessment.remediationId);
  return "completed";
}

/** The Completion notification once a remediation is scored. */
export async function notifyAssessed(
  store: RemediationStore,
  notifier: {
    notify(input: {
      type: "Completion";
      remediation: NonNullable<Awaited<ReturnType<RemediationStore["get"]>>>;
      subject: string;
      body: string;
    }): Promise<void>;
  },
  remediationId: string,
): Promise<void> {
  const rr = await store.get(remediationId);
  if (!rr?.effectiveness) return;
  const target = `${rr.targetResource.kind}/${rr.targetResource.name}`;
  await notifier.notify({
    type: "Completion",
    remediation: rr,
    subject: `${rr.outcome === "Remediated" ? "Remediated" : "Inconclusive"}: ${target} (effectiveness ${rr.effectiveness.score})`,
    body: `${rr.workflowExecution?.workflowId ?? "the workflow"} on ${target} scored ${rr.effectiveness.score} (${rr.effectiveness.reason}): ${
      Object.entries(rr.effectiveness.components)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "no component could be assessed"
    }.`,
  });
}
