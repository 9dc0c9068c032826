import { type Analysis, answersSignal, type ResourceRef, type Signal } from "@kubernaut/core";
import {
  CATALOG,
  defaultParameters,
  type ParameterValue,
  validateParameters,
  type WorkflowDefinition,
} from "@kubernaut/workflows";

/**
 * Confidence of a selection made from the alert name alone. It is deliberately below the default
 * approval threshold (0.8): a name match is a hint, not evidence, so at Level 3 a human looks first.
 * The rules investigator (evidence from the cluster) replaces this.
 */
export const NAME_MATCH_CONFIDENCE = 0.75;
const AMBIGUOUS_MATCH_CONFIDENCE = 0.7;

/**
 * Workflows that answer the alert's signal type (OOMKilled, KubeContainerOOMKilled and a team's
 * AppOOMKill are one type) and whose target kinds include the target.
 */
export function candidatesFor(
  signal: Signal,
  target: ResourceRef,
  catalog: readonly WorkflowDefinition[] = CATALOG,
) {
  return catalog.filter(
    (w) => answersSignal(w.signals, signal.alertName) && w.targetKinds.includes(target.kind),
  );
}

/**
 * Fills parameters the signal itself can answer, as absolute values: a memory limit becomes 1.5× the
 * limit the alert reports, rounded up to a MiB, never a factor that a retry could apply twice.
 */
function resolveParameters(workflow: WorkflowDefinition, signal: Signal): Record<string, ParameterValue> {
  const parameters = defaultParameters(workflow);
  if ("container" in workflow.parameters && signal.labels.container)
    parameters.container = signal.labels.container;
  if ("memoryLimit" in workflow.parameters) {
    const current = Number(signal.annotations.memory_limit_bytes);
    if (Number.isFinite(current) && current > 0)
      parameters.memoryLimit = Math.ceil((current * 1.5) / 1_048_576) * 1_048_576;
  }
  return parameters;
}

/** Selection by alert name from the catalog (the investigators of the analysis issue deepen this). */
export function selectByAlertName(
  signal: Signal,
  target: ResourceRef,
  catalog: readonly WorkflowDefinition[] = CATALOG,
): Analysis {
  const candidates = candidatesFor(signal, target, catalog);
  const [chosen] = candidates;
  if (!chosen) {
    return {
      investigator: "catalog-by-alert-name",
      actionable: true,
      confidence: 0,
      parameters: {},
      rootCause: `${signal.alertName} on ${target.kind}/${target.name}: no catalog workflow addresses this signal`,
      rationale: "no workflow in the catalog lists this alert for this kind of target",
      aligned: false,
      suggestion: `Investigate ${target.kind}/${target.name}${target.namespace ? ` in ${target.namespace}` : ""} by hand; consider registering a workflow for ${signal.alertName}.`,
    };
  }
  const parameters = resolveParameters(chosen, signal);
  const problems = validateParameters(chosen, parameters);
  const alternatives = candidates.slice(1).map((w) => w.id);
  return {
    investigator: "catalog-by-alert-name",
    actionable: true,
    workflowId: chosen.id,
    workflowVersion: chosen.version,
    actionType: chosen.actionType,
    confidence:
      problems.length > 0 ? 0 : alternatives.length > 0 ? AMBIGUOUS_MATCH_CONFIDENCE : NAME_MATCH_CONFIDENCE,
    parameters,
    rootCause:
      signal.annotations.description ??
      signal.annotations.summary ??
      `${signal.alertName} on ${target.kind}/${target.name}`,
    rationale:
      `selected by alert name ${signal.alertName}` +
      (alternatives.length > 0 ? `; also matching: ${alternatives.join(", ")}` : "") +
      (problems.length > 0 ? `; parameters unresolved: ${problems.join("; ")}` : ""),
    aligned: problems.length === 0,
  };
}
