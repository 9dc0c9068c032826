import type { Evidence } from "@kubernaut/cluster";
import type { Analysis } from "@kubernaut/core";

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
): string[] {
  if (!analysis.actionable || !analysis.actionType) return [];
  if (!evidence) return ["no evidence could be gathered to check the selection against"];
  const problems: string[] = [];
  if (evidence.target.name !== target.name || evidence.target.kind !== target.kind) {
    problems.push(
      `the evidence is about ${evidence.target.kind}/${evidence.target.name}, not the target ${target.kind}/${target.name}`,
    );
  }
  const pods = evidence.pods;
  const unhealthy = pods.filter((p) => !p.ready);
  switch (analysis.actionType) {
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
): string[] {
  try {
    return alignmentProblems(analysis, evidence as Evidence | undefined, target);
  } catch (error) {
    return [`the alignment check could not run (${(error as Error).message})`];
  }
}
