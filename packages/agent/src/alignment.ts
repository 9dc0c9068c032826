import type { Evidence } from "@kubernaut/cluster";
import { type Analysis, answersSignal } from "@kubernaut/core";
import { CATALOG, type WorkflowDefinition } from "@kubernaut/workflows";

/**
 * The alignment gate (DESIGN §1): an independent cross-check of a selection against the raw evidence,
 * written separately from the investigator's rules so one mistake is not repeated in both. Returns the
 * disagreements; any disagreement ends the remediation ManualReviewRequired, even if the policy would
 * auto-approve.
 */
export function alignmentProblems(
  analysis: Analysis,
  evidence: Evidence | undefined,
  target: { kind: string; name: string },
  selected: SelectedWorkflow = {},
): string[] {
  if (!analysis.actionable || !analysis.actionType) return [];
  if (!evidence) return ["no evidence could be gathered to check the selection against"];
  const problems: string[] = [];
  if (evidence.target.name !== target.name || evidence.target.kind !== target.kind) {
    problems.push(
      `the evidence is about ${evidence.target.kind}/${evidence.target.name}, not the target ${target.kind}/${target.name}`,
    );
  }
  const workflow = selected.workflow;
  if (workflow) {
    if (!workflow.targetKinds.includes(target.kind))
      problems.push(`${workflow.id} acts on ${workflow.targetKinds.join(", ")}, not a ${target.kind}`);
    // An operator's workflow has no evidence rules of its own: what it declares is what the gate checks.
    if (
      !CATALOG.some((w) => w.id === workflow.id) &&
      selected.alertName &&
      !answersSignal(workflow.signals, selected.alertName)
    )
      problems.push(
        `${workflow.id} declares the signals ${workflow.signals.join(", ")}, not ${selected.alertName}`,
      );
  }
  // Each action the workflow takes is checked against the evidence, whatever its policy-facing type.
  const actions = new Set([
    analysis.actionType,
    ...(workflow?.steps ?? []).flatMap((step) => ("action" in step ? [step.action] : [])),
  ]);
  for (const action of actions) problems.push(...actionProblems(action, evidence));
  return [...new Set(problems)];
}

/** The workflow a selection names, and the alert it answers, for the checks on what it declares. */
export interface SelectedWorkflow {
  workflow?: WorkflowDefinition | undefined;
  alertName?: string | undefined;
}

/** What the evidence says against one action. */
function actionProblems(action: string, evidence: Evidence): string[] {
  const problems: string[] = [];
  const pods = evidence.pods;
  const unhealthy = pods.filter((p) => !p.ready);
  switch (action) {
    case "RollbackDeployment":
      if (evidence.rollout.length < 2)
        problems.push("a rollback needs an earlier revision, and there is none");
      if (unhealthy.length === 0) problems.push("a rollback was chosen but every pod is ready");
      if (pods.some((p) => p.lastTermination === "OOMKilled"))
        problems.push("the pods are OOMKilled: rolling back the image does not give them memory");
      break;
    case "IncreaseMemoryLimits":
      if (!pods.some((p) => p.lastTermination === "OOMKilled"))
        problems.push("a memory increase was chosen but no container was OOMKilled");
      break;
    case "RestartPod":
      if (unhealthy.length === 0) problems.push("a restart was chosen but every pod is ready");
      break;
    case "CordonDrainNode":
      if (evidence.target.ready !== false) problems.push("a drain was chosen but the node is Ready");
      break;
    case "PatchHPA":
      if (!evidence.hpa) problems.push("an HPA patch was chosen but no HPA targets the workload");
      break;
    case "ScaleReplicas":
      if (evidence.hpa) problems.push("a manual scale was chosen but an HPA manages the replicas");
      break;
  }
  return problems;
}

/**
 * The gate as the pipeline runs it: a check that cannot run is itself a disagreement (DESIGN §1) — a
 * selection never goes through because its cross-check crashed on unexpected evidence.
 */
export function alignmentGate(
  analysis: Analysis,
  evidence: unknown,
  target: { kind: string; name: string },
  selected: SelectedWorkflow = {},
): string[] {
  try {
    return alignmentProblems(analysis, evidence as Evidence | undefined, target, selected);
  } catch (error) {
    return [`the alignment check could not run (${(error as Error).message})`];
  }
}
