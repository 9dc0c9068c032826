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

/** Why a component has no score. */
export type NotAssessedWhy =
  /** No source for it in this installation: no Alertmanager, no Prometheus, no cluster access. */
  | "NoSource"
  /** Its source was asked and gave nothing usable (Prometheus without the series, Alertmanager down). */
  | "NoData"
  /** It does not apply to this target (an HPA has no pods of its own to be healthy). */
  | "NotApplicable";

export interface NotAssessed {
  why: NotAssessedWhy;
  /** In words, for the record: "no Prometheus configured". */
  details: string;
}

export interface AssessmentInput {
  /** Scores of the components that could be assessed; a missing one is not assessed, not zero. */
  components: Partial<Record<Component, number>>;
  /**
   * Components this installation can assess — Kubernaut's "enabled" ones: health with cluster access,
   * alert with Alertmanager, metrics with Prometheus. A component scored anyway (the resolved webhook
   * scores the alert without Alertmanager) counts as assessed.
   */
  expected: readonly Component[];
  /** Why the components without a score have none; a missing entry is NoData if expected, else NoSource. */
  notAssessed?: Partial<Record<Component, NotAssessed>>;
  specDrift: boolean;
  targetGone: boolean;
  alertDecayTimedOut: boolean;
}

export interface AssessmentResult {
  /** Null when no component could be assessed: nothing was measured, which is not a 0. */
  score: number | null;
  /** Kubernaut's assessmentReason: how the assessment ended. */
  reason: AssessmentReason;
  /** What the score rests on, in words, apart from it: "health only: no alert or metrics source configured". */
  completeness: string;
  outcome: "Remediated" | "Inconclusive";
}

const ORDER: readonly Component[] = ["health", "alert", "metrics"];

/** "health", "health and alert", "health, alert and metrics" (joined with `last`). */
function list(components: readonly Component[], last: "and" | "or"): string {
  if (components.length <= 1) return components.join("");
  return `${components.slice(0, -1).join(", ")} ${last} ${components[components.length - 1]}`;
}

const GAP_WORDS: Record<NotAssessedWhy, (components: string) => string> = {
  NoSource: (c) => `no ${c} source configured`,
  NoData: (c) => `no ${c} data`,
  NotApplicable: (c) => `no ${c} for this kind of target`,
};

/**
 * What an assessment rests on, separately from its score, so a 1.00 from health alone does not read as
 * a failure: "complete: health, alert and metrics", "health only: no alert or metrics source
 * configured", "nothing assessed: no health source configured, no alert data".
 */
function describeCompleteness(
  assessed: readonly Component[],
  missing: Partial<Record<Component, NotAssessedWhy>>,
): string {
  const scored = ORDER.filter((c) => assessed.includes(c));
  const gaps = (Object.keys(GAP_WORDS) as NotAssessedWhy[]).flatMap((why) => {
    const components = ORDER.filter((c) => !scored.includes(c) && missing[c] === why);
    return components.length ? [GAP_WORDS[why](list(components, "or"))] : [];
  });
  if (scored.length === ORDER.length) return `complete: ${list(scored, "and")}`;
  const head = scored.length === 0 ? "nothing assessed" : `${list(scored, "and")} only`;
  return gaps.length ? `${head}: ${gaps.join(", ")}` : head;
}

/**
 * The weighted mean of the assessed components (health 0.40, alert 0.35, metrics 0.25; a component
 * without a score is left out and its weight spread over the rest), and how the assessment ended
 * (Kubernaut's reasons). With no component assessed there is no score at all (`Expired`): nothing was
 * measured, and a 0 would count against the workflow. Spec drift (the desired state changed since the
 * remediation) and a target that no longer exists force 0: what was measured is not what was done.
 * A remediated outcome needs a score of at least 0.5 from an honest assessment; no score is
 * Inconclusive.
 */
export function scoreAssessment(input: AssessmentInput): AssessmentResult {
  const assessed = ORDER.filter((c) => input.components[c] !== undefined);
  const missing: Partial<Record<Component, NotAssessedWhy>> = {};
  for (const c of ORDER)
    if (!assessed.includes(c))
      missing[c] = input.notAssessed?.[c]?.why ?? (input.expected.includes(c) ? "NoData" : "NoSource");
  const completeness = describeCompleteness(assessed, missing);
  if (input.targetGone) return { score: 0, reason: "Unrecoverable", completeness, outcome: "Inconclusive" };
  if (input.specDrift) return { score: 0, reason: "SpecDrift", completeness, outcome: "Inconclusive" };
  if (assessed.length === 0) return { score: null, reason: "Expired", completeness, outcome: "Inconclusive" };

  const weight = assessed.reduce((sum, c) => sum + COMPONENT_WEIGHTS[c], 0);
  const weighted = assessed.reduce((sum, c) => sum + COMPONENT_WEIGHTS[c] * (input.components[c] ?? 0), 0);
  const score = Math.round((weighted / weight) * 1000) / 1000;
  const outcome = score >= 0.5 ? "Remediated" : "Inconclusive";
  return { score, reason: completionReason(input, assessed), completeness, outcome };
}

/**
 * Kubernaut's completion reason, for an assessment that scored something: the alert decay running out
 * comes first (it is why the alert scored 0); then Full when every enabled component was assessed;
 * MetricsTimedOut when only Prometheus' answer is missing; Partial otherwise.
 */
function completionReason(input: AssessmentInput, assessed: readonly Component[]): AssessmentReason {
  if (input.alertDecayTimedOut) return "AlertDecayTimeout";
  // A component that does not apply to this target (an HPA's health) is not missing.
  const missingExpected = input.expected.filter(
    (c) => !assessed.includes(c) && input.notAssessed?.[c]?.why !== "NotApplicable",
  );
  if (missingExpected.length === 0) return "Full";
  if (missingExpected.length === 1 && missingExpected[0] === "metrics") return "MetricsTimedOut";
  return "Partial";
}

/** The words after an assessment's reason that say what it means for the score. */
const REASON_WORDS: Partial<Record<AssessmentReason, string>> = {
  SpecDrift: "voided by spec drift (the target's spec changed after the remediation)",
  Unrecoverable: "the target no longer exists",
  AlertDecayTimeout: "the alert was still firing after its re-checks",
  MetricsTimedOut: "Prometheus gave no usable answer",
};

/** What people read of an assessment: the recorded result (RemediationRequest.effectiveness). */
export interface EffectivenessRecord {
  score: number | null;
  reason: string;
  completeness?: string | undefined;
  components: Readonly<Record<string, number>>;
  details?: Readonly<Record<string, string>> | undefined;
}

/**
 * One line for people (console, notifications, A2A): the score, then what it rests on —
 * "1.00, health only: no alert or metrics source configured", "not scored, nothing assessed: …".
 * Records written before completeness existed name their reason instead.
 */
export function describeEffectiveness(effectiveness: Omit<EffectivenessRecord, "components">): string {
  const score = effectiveness.score === null ? "not scored" : effectiveness.score.toFixed(2);
  return `${score}, ${assessmentBasis(effectiveness)}`;
}

/**
 * What the score rests on, without the score: what the reason means for it, if anything, then the
 * completeness — "voided by spec drift (…), health and alert only: no metrics source configured".
 */
export function assessmentBasis(effectiveness: {
  reason: string;
  completeness?: string | undefined;
}): string {
  const words = REASON_WORDS[effectiveness.reason as AssessmentReason];
  return [words, effectiveness.completeness ?? `assessment ${effectiveness.reason}`]
    .filter(Boolean)
    .join(", ");
}

/**
 * One line per component, in the weights' order: "health 1.00: all 2 pods ready, no restarts",
 * "metrics not assessed: no Prometheus configured".
 */
export function describeComponents(effectiveness: EffectivenessRecord): string[] {
  const named = [
    ...ORDER,
    ...Object.keys({ ...effectiveness.components, ...effectiveness.details }).filter(
      (c) => !ORDER.includes(c as Component),
    ),
  ];
  return named.flatMap((c) => {
    const score = effectiveness.components[c];
    const words = effectiveness.details?.[c];
    if (score === undefined) return words ? [`${c} ${words}`] : [];
    return [`${c} ${score.toFixed(2)}${words ? `: ${words}` : ""}`];
  });
}
