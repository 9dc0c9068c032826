import type { Analysis, RemediationRequest } from "@kubernaut/core";

/**
 * A regression (DESIGN §3.3): the target's spec is back to what it was before an earlier remediation
 * changed it — the fix was reverted (a redeploy of the bad version, a GitOps sync). Worth a warning:
 * the same fix will likely be undone again, and the starter policy then asks a human.
 */
export function regressionWarning(
  currentSpecHash: string | undefined,
  history: readonly RemediationRequest[],
): string | undefined {
  if (!currentSpecHash) return undefined;
  const earlier = history.find(
    (rr) =>
      rr.workflowExecution?.preHash === currentSpecHash && rr.workflowExecution.postHash !== currentSpecHash,
  );
  if (!earlier) return undefined;
  return `regression: the target's spec is back to what it was before ${earlier.id} (${earlier.workflowExecution?.workflowId}) changed it`;
}

/** Effectiveness feedback and the regression warning, together (what the analyze step applies). */
export function applyFeedback(
  analysis: Analysis,
  history: readonly RemediationRequest[],
  currentSpecHash?: string,
): { analysis: Analysis; warnings: string[] } {
  const feedback = effectivenessFeedback(analysis, history);
  const regression = regressionWarning(currentSpecHash, history);
  if (!regression) return feedback;
  return {
    analysis: { ...feedback.analysis, rationale: `${feedback.analysis.rationale}; ${regression}` },
    warnings: [...feedback.warnings, regression],
  };
}

/**
 * Past effectiveness of the same workflow on the same target adjusts confidence (DESIGN §3.3): two or
 * more assessments averaging ≥ 0.8 add 0.05; a mean below 0.5 takes 0.15 off and warns, because the
 * same fix keeps not working here.
 */
function effectivenessFeedback(
  analysis: Analysis,
  history: readonly RemediationRequest[],
): { analysis: Analysis; warnings: string[] } {
  if (!analysis.workflowId) return { analysis, warnings: [] };
  const scores = history
    .filter((rr) => rr.workflowExecution?.workflowId === analysis.workflowId)
    // An assessment that measured nothing says nothing about the workflow: it is not a 0.
    .flatMap((rr) => (typeof rr.effectiveness?.score === "number" ? [rr.effectiveness.score] : []));
  if (scores.length === 0) return { analysis, warnings: [] };
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  const round = (v: number) => Math.round(Math.max(0, Math.min(0.99, v)) * 100) / 100;
  if (mean < 0.5) {
    const warning = `declining effectiveness: ${analysis.workflowId} scored ${mean.toFixed(2)} on average over ${scores.length} earlier remediation(s) of this target`;
    return {
      analysis: {
        ...analysis,
        confidence: round(analysis.confidence - 0.15),
        rationale: `${analysis.rationale}; ${warning}`,
      },
      warnings: [warning],
    };
  }
  if (mean >= 0.8 && scores.length >= 2) {
    return {
      analysis: {
        ...analysis,
        confidence: round(analysis.confidence + 0.05),
        rationale: `${analysis.rationale}; worked here before (mean ${mean.toFixed(2)} over ${scores.length})`,
      },
      warnings: [],
    };
  }
  return { analysis, warnings: [] };
}
