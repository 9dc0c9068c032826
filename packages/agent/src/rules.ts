import { type ClusterAccess, gatherEvidence, type K8s, podHealth, rolloutHistory } from "@kubernaut/cluster";
import type { Analysis, RemediationRequest } from "@kubernaut/core";
import { CATALOG, findWorkflow, type WorkflowDefinition } from "@kubernaut/workflows";
import { selectByAlertName } from "./select";

const HOUR = 3_600_000;
/** The ceiling on a memory limit analysis proposes: doubling past this needs a human. */
const MAX_MEMORY_BYTES = 8 * 1024 ** 3;

function analysis(
  workflow: WorkflowDefinition,
  parts: Omit<
    Analysis,
    "investigator" | "workflowId" | "workflowVersion" | "actionType" | "actionable" | "aligned"
  >,
): Analysis {
  return {
    investigator: "rules",
    actionable: true,
    workflowId: workflow.id,
    workflowVersion: workflow.version,
    actionType: workflow.actionType,
    aligned: true,
    ...parts,
  };
}

/**
 * The rule-based investigator (the embedded default; no network beyond the cluster). It reads the
 * workload's pods, last termination reasons, logs and rollout history, and picks a workflow with a
 * confidence built from how much evidence agrees:
 * - OOMKilled containers → increase-memory-limits-v1, the limit doubled as an absolute value (0.85).
 * - A crash loop right after a rollout whose previous revision differed → crashloop-rollback-v1:
 *   0.8, +0.1 when every pod crashes, +0.05 when the rollout is under an hour old.
 * - A crash loop with no rollout to blame → restart-pod-v1 at 0.6, below the 0.7 floor on purpose:
 *   restarting rarely fixes a crash, so a human looks.
 * Anything else falls back to selection by alert name.
 */
export async function investigateWithRules(
  access: ClusterAccess,
  rr: RemediationRequest,
  catalog: readonly WorkflowDefinition[] = CATALOG,
): Promise<Analysis> {
  const result = await chooseWithRules(access, rr, catalog);
  const target = rr.targetResource;
  if (target.kind !== "Deployment" || !target.namespace) return result;
  // Kept with the analysis, so the approver (and later the LLM) sees what the choice rested on.
  const evidence = await gatherEvidence(access, {
    kind: target.kind,
    name: target.name,
    namespace: target.namespace,
  });
  return { ...result, evidence: evidence as unknown as Record<string, unknown> };
}

async function chooseWithRules(
  access: ClusterAccess,
  rr: RemediationRequest,
  catalog: readonly WorkflowDefinition[] = CATALOG,
): Promise<Analysis> {
  const target = rr.targetResource;
  if (target.kind !== "Deployment" || !target.namespace) return selectByAlertName(rr.signal, target, catalog);
  const deployment = await access.read({
    kind: "Deployment",
    name: target.name,
    namespace: target.namespace,
  });
  const pods = (await access.podsOf(deployment)).map(podHealth);
  const crashing = pods.filter((p) => p.waiting === "CrashLoopBackOff");
  const oom = pods.filter((p) => p.lastTermination === "OOMKilled");

  if (oom.length > 0) {
    const workflow = findWorkflow("increase-memory-limits-v1", catalog);
    const container = (deployment.spec?.template?.spec?.containers ?? [])[0] as K8s | undefined;
    const current = parseMemory(container?.resources?.limits?.memory);
    if (workflow && container && current) {
      const proposed = Math.min(current * 2, MAX_MEMORY_BYTES);
      return analysis(workflow, {
        confidence: proposed > current ? 0.85 : 0.5,
        parameters: { container: container.name, memoryLimit: proposed },
        rootCause: `${oom.length}/${pods.length} pods of ${target.name} were OOMKilled: container ${container.name} needs more than its ${current}-byte limit`,
        rationale: `last termination OOMKilled on ${oom.map((p) => p.name).join(", ")}; doubling the limit to ${proposed} bytes (absolute, capped at ${MAX_MEMORY_BYTES})`,
      });
    }
  }

  if (crashing.length > 0) {
    const history = await rolloutHistory(access, deployment);
    const [current, previous] = history;
    const rolledOut = current && previous && current.images.join() !== previous.images.join();
    if (rolledOut) {
      const workflow = findWorkflow("crashloop-rollback-v1", catalog);
      const rs = (await access.apps.listNamespacedReplicaSet({ namespace: target.namespace })).items.find(
        (r) => r.metadata?.name === current.name,
      );
      const age = rs?.metadata?.creationTimestamp
        ? Date.now() - new Date(rs.metadata.creationTimestamp).getTime()
        : Number.POSITIVE_INFINITY;
      const log = await previousLog(access, target.namespace, crashing[0]?.name);
      if (workflow) {
        const confidence = Math.min(
          0.95,
          0.8 + (crashing.length === pods.length ? 0.1 : 0) + (age < HOUR ? 0.05 : 0),
        );
        return analysis(workflow, {
          confidence: Number(confidence.toFixed(2)),
          parameters: { toRevision: previous.revision },
          rootCause: `${target.name} crash-loops since revision ${current.revision} (${current.images.join(", ")}); revision ${previous.revision} ran ${previous.images.join(", ")}${log ? `. Last log: ${log}` : ""}`,
          rationale: `${crashing.length}/${pods.length} pods in CrashLoopBackOff right after a rollout${age < HOUR ? " under an hour old" : ""}; rolling back to revision ${previous.revision}`,
        });
      }
    }
    const restart = findWorkflow("restart-pod-v1", catalog);
    if (restart) {
      return analysis(restart, {
        confidence: 0.6,
        parameters: { mode: "deletePod" },
        rootCause: `${crashing.length}/${pods.length} pods of ${target.name} crash-loop with no recent rollout to blame`,
        rationale: "a restart rarely fixes a crash loop; proposed with low confidence so a human reviews it",
      });
    }
  }
  return selectByAlertName(rr.signal, target, catalog);
}

async function previousLog(
  access: ClusterAccess,
  namespace: string,
  pod: string | undefined,
): Promise<string | undefined> {
  if (!pod) return undefined;
  try {
    const log = await access.core.readNamespacedPodLog({
      name: pod,
      namespace,
      previous: true,
      tailLines: 5,
    });
    return String(log).trim().split("\n")[0]?.slice(0, 200);
  } catch {
    return undefined;
  }
}

const UNITS: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
};
function parseMemory(value: unknown): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([kMG]i?|)$/.exec(String(value ?? ""));
  return match ? Math.round(Number(match[1]) * (UNITS[match[2] ?? ""] ?? 1)) : undefined;
}
