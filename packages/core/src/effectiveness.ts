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

export interface PodState {
  ready: boolean;
  restarts: number;
  waiting?: string;
  lastTermination?: string;
}

/**
 * Health of the target after remediation: 1 all ready; 0.75 ready but restarted since the remediation;
 * 0.5 partially ready; 0.25 OOMKilled; 0 crash-looping or gone.
 */
export function healthScore(pods: readonly PodState[] | undefined): number {
  if (!pods || pods.length === 0) return 0;
  if (pods.some((p) => p.waiting === "CrashLoopBackOff" && p.lastTermination !== "OOMKilled")) return 0;
  if (pods.some((p) => p.lastTermination === "OOMKilled")) return 0.25;
  const ready = pods.filter((p) => p.ready).length;
  if (ready < pods.length) return 0.5;
  return pods.some((p) => p.restarts > 0) ? 0.75 : 1;
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
