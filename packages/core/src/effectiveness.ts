/** The effectiveness components and their weights (DESIGN §3.10). */
export const COMPONENT_WEIGHTS = { health: 0.4, alert: 0.35, metrics: 0.25 } as const;
export type Component = keyof typeof COMPONENT_WEIGHTS;

export const ASSESSMENT_REASONS = [
  "Full",
  "Partial",
  "NoExecution",
  "MetricsTimedOut",
  "Expired",
  "SpecDrift",
  "AlertDecayTimeout",
  "Unrecoverable",
] as const;
export type AssessmentReason = (typeof ASSESSMENT_REASONS)[number];

/** One pod as the health check sees it: what the Kubernetes API says, without interpretation. */
export interface PodState {
  /** Pending, Running, Succeeded, Failed or Unknown. */
  phase: string;
  /** The pod's Ready condition: the pod serves. */
  ready: boolean;
  /** Restarts of all its containers. */
  restarts: number;
  /** Why containers wait, if they do (CrashLoopBackOff, ImagePullBackOff, …). */
  waiting: readonly string[];
  /** How containers last ended, if they did (OOMKilled, Error, …), and when. */
  lastTerminations: ReadonlyArray<{ reason: string; finishedAt?: string }>;
  createdAt?: string;
  /** Being deleted (a deletion timestamp is set): no longer a member of the workload. */
  terminating: boolean;
}

/** Kubernaut's health inputs (TargetStatus): the target's active pods, summed up. */
export interface TargetStatus {
  targetExists: boolean;
  /** Active pods: neither terminating nor finished (Succeeded / Failed). */
  totalReplicas: number;
  readyReplicas: number;
  pendingCount: number;
  /** Restarts on pods created since the remediation started; older pods' counts predate it. */
  restartsSinceRemediation: number;
  /** A container waits in CrashLoopBackOff. */
  crashLoops: boolean;
  /** A container was OOMKilled since the remediation started. */
  oomKilled: boolean;
}

/** A scored component and, in words, what the score rests on (Kubernaut's ComponentResult). */
export interface ComponentResult {
  score: number;
  details: string;
}

/**
 * Sums up the target's pods as Kubernaut's effectiveness monitor does. Pods being deleted and finished
 * pods (a completed Job's) are not part of the workload any more. Restarts count only on pods created
 * since the remediation started: an older pod's restart count is history the remediation did not make.
 * Creation times have whole seconds, so a pod created in the second the remediation started counts as
 * new — a restart is better seen than missed.
 */
export function targetStatusOf(pods: readonly PodState[], remediationStartedAt?: Date): TargetStatus {
  const since =
    remediationStartedAt === undefined ? undefined : Math.floor(remediationStartedAt.getTime() / 1000);
  const seconds = (iso: string | undefined) =>
    iso === undefined || Number.isNaN(Date.parse(iso)) ? undefined : Math.floor(Date.parse(iso) / 1000);
  const createdSince = (pod: PodState) => {
    if (since === undefined) return true;
    const created = seconds(pod.createdAt);
    return created !== undefined && created >= since;
  };
  const active = pods.filter((p) => !p.terminating && p.phase !== "Succeeded" && p.phase !== "Failed");
  return {
    targetExists: true,
    totalReplicas: active.length,
    readyReplicas: active.filter((p) => p.ready).length,
    pendingCount: active.filter((p) => p.phase === "Pending").length,
    restartsSinceRemediation: active.filter(createdSince).reduce((sum, p) => sum + p.restarts, 0),
    crashLoops: active.some((p) => p.waiting.includes("CrashLoopBackOff")),
    // An OOMKill says when it happened; one from before the remediation is not the remediation's.
    oomKilled: active.some((p) =>
      p.lastTerminations.some((t) => {
        if (t.reason !== "OOMKilled") return false;
        const finished = seconds(t.finishedAt);
        return since === undefined || (finished === undefined ? createdSince(p) : finished >= since);
      }),
    ),
  };
}

/** Kubernaut's health status of a target that could not be found. */
export const TARGET_NOT_FOUND: TargetStatus = {
  targetExists: false,
  totalReplicas: 0,
  readyReplicas: 0,
  pendingCount: 0,
  restartsSinceRemediation: 0,
  crashLoops: false,
  oomKilled: false,
};

/**
 * Health after the remediation, strict like Kubernaut's (first match wins): not found 0; no active pods
 * 0; a crash loop 0 — before the OOMKill check, so a crash loop after an OOMKill is 0 too; no pod ready
 * 0, pending pods included; some ready 0.5; all ready but OOMKilled since the remediation 0.25; all ready
 * with restarts since the remediation 0.75; all ready 1.
 */
export function assessHealth(status: TargetStatus): ComponentResult {
  const { totalReplicas: total, readyReplicas: ready, pendingCount: pending } = status;
  const restarts = status.restartsSinceRemediation;
  if (!status.targetExists) return { score: 0, details: "target resource not found" };
  if (total === 0) return { score: 0, details: "target has 0 desired replicas" };
  if (status.crashLoops)
    return {
      score: 0,
      details: `CrashLoopBackOff detected (${ready}/${total} pods ready, ${restarts} restarts)`,
    };
  const pendingNote = pending > 0 ? ` (${pending} pending)` : "";
  if (ready === 0) return { score: 0, details: `0/${total} pods ready${pendingNote}` };
  if (ready < total)
    return { score: 0.5, details: `${ready}/${total} pods ready${pendingNote || " (partial)"}` };
  if (status.oomKilled)
    return {
      score: 0.25,
      details: `all ${total} pods ready, OOMKilled detected (${restarts} restarts since remediation)`,
    };
  if (restarts > 0)
    return { score: 0.75, details: `all ${total} pods ready, ${restarts} restarts since remediation` };
  return { score: 1, details: `all ${total} pods ready, no restarts` };
}

export interface AssessmentInput {
  /** Scores of the components that could be assessed; a missing one is not assessed, not zero. */
  components: Partial<Record<Component, number>>;
  /** Components this installation can assess (metrics only with Prometheus). */
  expected: readonly Component[];
  specDrift: boolean;
  targetGone: boolean;
  alertDecayTimedOut: boolean;
}

export interface AssessmentResult {
  score: number;
  reason: AssessmentReason;
  outcome: "Remediated" | "Inconclusive";
}

/**
 * The weighted mean of the assessed components, and why. Spec drift (the target's desired state
 * changed since the remediation) voids the assessment: the score is 0 because what was measured is no
 * longer what was done. A remediated outcome needs a score of at least 0.5 from an honest assessment.
 */
export function scoreAssessment(input: AssessmentInput): AssessmentResult {
  if (input.targetGone) return { score: 0, reason: "Unrecoverable", outcome: "Inconclusive" };
  if (input.specDrift) return { score: 0, reason: "SpecDrift", outcome: "Inconclusive" };
  const assessed = (Object.keys(input.components) as Component[]).filter(
    (c) => input.components[c] !== undefined,
  );
  const weight = assessed.reduce((sum, c) => sum + COMPONENT_WEIGHTS[c], 0);
  const score =
    weight === 0
      ? 0
      : assessed.reduce((sum, c) => sum + COMPONENT_WEIGHTS[c] * (input.components[c] as number), 0) / weight;
  const rounded = Math.round(score * 1000) / 1000;
  const reason: AssessmentReason = input.alertDecayTimedOut
    ? "AlertDecayTimeout"
    : input.expected.every((c) => assessed.includes(c))
      ? "Full"
      : "Partial";
  return { score: rounded, reason, outcome: rounded >= 0.5 ? "Remediated" : "Inconclusive" };
}
