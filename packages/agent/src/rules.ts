import { type ClusterAccess, type Evidence, gatherEvidence } from "@kubernaut/cluster";
import type { Analysis, RemediationRequest } from "@kubernaut/core";
import {
  CATALOG,
  findWorkflow,
  formatQuantity,
  type ParameterValue,
  type WorkflowDefinition,
} from "@kubernaut/workflows";
import { candidatesFor, selectByAlertName } from "./select";

const HOUR = 3_600_000;
/** The ceiling on a memory limit analysis proposes: doubling past this needs a human. */
export const MAX_MEMORY_BYTES = 8 * 1024 ** 3;

type Choice = {
  workflowId: string;
  confidence: number;
  parameters: Record<string, ParameterValue>;
  rootCause: string;
  rationale: string;
  factors: string[];
};

/**
 * The rule-based investigator (the embedded default; no network beyond the cluster). It gathers the
 * evidence once and decides with `decideFromEvidence`, a pure function of it (table-tested).
 */
export async function investigateWithRules(
  access: ClusterAccess,
  rr: RemediationRequest,
  catalog: readonly WorkflowDefinition[] = CATALOG,
): Promise<Analysis> {
  const target = rr.targetResource;
  // A Pod target (one whose controller the owner chain does not follow, or none) is inspected too: a
  // selection without evidence never passes the alignment gate, so RestartPod could never run on it.
  const inspectable =
    (["Deployment", "StatefulSet", "DaemonSet", "Pod"].includes(target.kind) && target.namespace) ||
    target.kind === "Node";
  if (!inspectable) return selectByAlertName(rr.signal, target, catalog);
  const evidence = await gatherEvidence(access, {
    kind: target.kind,
    name: target.name,
    ...(target.namespace ? { namespace: target.namespace } : {}),
  });
  return decideFromEvidence(evidence, rr, catalog);
}

const memoryUnits: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
};
export function parseMemory(value: unknown): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([kMG]i?|)$/.exec(String(value ?? ""));
  return match ? Math.round(Number(match[1]) * (memoryUnits[match[2] ?? ""] ?? 1)) : undefined;
}

/**
 * The rules, in order; each states its evidence and how confidence is built from it:
 * - Node NotReady → cordon-drain-node-v1, 0.8 (a sensitive target: the starter policy asks a human).
 * - Everything healthy (all pods ready, rollout complete, HPA not saturated) → NoActionRequired.
 * - OOMKilled → increase-memory-limits-v1 with the limit doubled as an absolute value, capped at 8 GiB;
 *   0.8, +0.05 when every pod was OOMKilled.
 * - Image pull failures right after a rollout → crashloop-rollback-v1, 0.85, +0.05 under an hour old.
 * - A crash loop right after a rollout → crashloop-rollback-v1: 0.8, +0.1 when every pod crashes, +0.05
 *   when the rollout is under an hour old.
 * - HPA at maxReplicas under load → patch-hpa-v1 with maxReplicas × 1.5, 0.8.
 * - A stuck rollout (new pods not ready, not crashing) with an earlier revision → rollback, 0.7.
 * - A crash loop with no rollout to blame → restart-pod-v1, 0.6: below the 0.7 floor on purpose,
 *   because a restart rarely fixes a crash.
 * - Anything else: selection by alert name (which may find nothing → a suggestion).
 */
export function decideFromEvidence(
  evidence: Evidence,
  rr: RemediationRequest,
  catalog: readonly WorkflowDefinition[] = CATALOG,
): Analysis {
  const target = rr.targetResource;
  const warnings: string[] = [];
  if (rr.targetSource === "pod-name")
    warnings.push("the target was inferred from a pod name; the owner chain was not verified");
  const attach = (analysis: Analysis): Analysis => ({
    ...analysis,
    evidence: {
      ...(evidence as unknown as Record<string, unknown>),
      ...(warnings.length ? { warnings } : {}),
    },
  });
  const chosen = (
    choice: Choice,
    alternatives: Array<{ workflowId: string; whyNot: string }> = [],
  ): Analysis => {
    const workflow = findWorkflow(choice.workflowId, catalog);
    // A rule's workflow that cannot act on this kind (a memory increase for a Pod, which has no template
    // to patch): the catalog's workflows for the alert on this kind instead.
    if (!workflow?.targetKinds.includes(target.kind))
      return attach(selectByAlertName(rr.signal, target, catalog));
    return attach({
      investigator: "rules",
      actionable: true,
      workflowId: workflow.id,
      workflowVersion: workflow.version,
      actionType: workflow.actionType,
      confidence: Math.round(Math.min(0.99, choice.confidence) * 100) / 100,
      parameters: choice.parameters,
      rootCause: choice.rootCause,
      rationale: `${choice.rationale}${choice.factors.length ? `; contributing: ${choice.factors.join("; ")}` : ""}${alternatives.length ? `; not chosen: ${alternatives.map((a) => `${a.workflowId} (${a.whyNot})`).join("; ")}` : ""}`,
      aligned: true,
    });
  };
  const healthy = (rootCause: string): Analysis =>
    attach({
      investigator: "rules",
      actionable: false,
      confidence: 0.9,
      parameters: {},
      rootCause,
      rationale: "nothing to remediate now: the alert is stale or the problem went away",
      aligned: true,
    });

  // An operator's workflow that declares this alert for this kind of target is their own knowledge of
  // the signal (a queue backlog, a cache to flush): it is chosen by what it declares, before the
  // generic rules, which only see pod health. The built-ins stay with the evidence rules below.
  const operators = candidatesFor(rr.signal, target, catalog).filter(
    (workflow) => !CATALOG.some((builtIn) => builtIn.id === workflow.id),
  );
  if (operators.length > 0) {
    const selection = selectByAlertName(rr.signal, target, operators);
    const [first] = operators;
    return attach({
      ...selection,
      investigator: "rules",
      rationale: `${first?.id} declares ${rr.signal.alertName} for a ${target.kind}: ${first?.description.what} When: ${first?.description.whenToUse}; ${selection.rationale}`,
    });
  }

  if (target.kind === "Node") {
    if (evidence.target.ready === false) {
      return chosen({
        workflowId: "cordon-drain-node-v1",
        confidence: 0.8,
        parameters: { drain: true },
        rootCause: `node ${target.name} is NotReady`,
        rationale:
          "its pods cannot run there; cordon it and move them (evictions respect PodDisruptionBudgets)",
        factors: evidence.nodes[0]?.pressure.length
          ? [`pressure: ${evidence.nodes[0].pressure.join(", ")}`]
          : [],
      });
    }
    return healthy(`node ${target.name} is Ready`);
  }

  const pods = evidence.pods;
  const crashing = pods.filter((p) => p.waiting === "CrashLoopBackOff" && p.lastTermination !== "OOMKilled");
  const oom = pods.filter((p) => p.lastTermination === "OOMKilled");
  const pulling = pods.filter((p) => p.waiting === "ImagePullBackOff" || p.waiting === "ErrImagePull");
  const [current, previous] = evidence.rollout;
  const rolledOut = Boolean(current && previous && current.images.join() !== previous.images.join());
  const recent = evidence.rolloutAgeMs !== undefined && evidence.rolloutAgeMs < HOUR;
  const replicas = evidence.target.replicas ?? pods.length;
  const allReady =
    pods.length >= replicas &&
    pods.every((p) => p.ready) &&
    (evidence.target.updatedReplicas ?? replicas) >= replicas;

  if (allReady && !evidence.hpa?.saturated)
    return healthy(`${target.kind}/${target.name} is healthy: ${pods.length}/${replicas} pods ready`);

  if (oom.length > 0) {
    const container = evidence.resources[0];
    const limit = parseMemory(container?.limits.memory);
    if (container && limit) {
      const proposed = Math.min(limit * 2, MAX_MEMORY_BYTES);
      return chosen(
        {
          workflowId: "increase-memory-limits-v1",
          confidence: proposed > limit ? 0.8 + (oom.length === pods.length ? 0.05 : 0) : 0.5,
          parameters: { container: container.container, memoryLimit: proposed },
          rootCause: `${oom.length}/${pods.length} pods of ${target.name} were OOMKilled: container ${container.container} needs more than its ${formatQuantity(limit)} limit`,
          rationale: `doubling the limit to ${formatQuantity(proposed)} (absolute, capped at ${formatQuantity(MAX_MEMORY_BYTES)})`,
          factors: proposed > limit ? [] : ["the limit is already at the cap"],
        },
        rolledOut
          ? [
              {
                workflowId: "crashloop-rollback-v1",
                whyNot: "the containers are killed for memory, not crashing on their own",
              },
            ]
          : [],
      );
    }
  }

  if (pulling.length > 0 && rolledOut && current && previous) {
    return chosen({
      workflowId: "crashloop-rollback-v1",
      confidence: 0.85 + (recent ? 0.05 : 0),
      parameters: { toRevision: previous.revision },
      rootCause: `revision ${current.revision} (${current.images.join(", ")}) cannot be pulled; revision ${previous.revision} ran ${previous.images.join(", ")}`,
      rationale: `${pulling.length}/${pods.length} pods in ImagePullBackOff after a rollout; rolling back to revision ${previous.revision}`,
      factors: recent ? ["the rollout is under an hour old"] : [],
    });
  }

  if (crashing.length > 0 && rolledOut && current && previous) {
    const log = evidence.logs
      .find((l) => l.previous)
      ?.tail.trim()
      .split("\n")[0]
      ?.slice(0, 200);
    return chosen(
      {
        workflowId: "crashloop-rollback-v1",
        confidence: 0.8 + (crashing.length === pods.length ? 0.1 : 0) + (recent ? 0.05 : 0),
        parameters: { toRevision: previous.revision },
        rootCause: `${target.name} crash-loops since revision ${current.revision} (${current.images.join(", ")}); revision ${previous.revision} ran ${previous.images.join(", ")}${log ? `. Last log: ${log}` : ""}`,
        rationale: `${crashing.length}/${pods.length} pods in CrashLoopBackOff right after a rollout${recent ? " under an hour old" : ""}; rolling back to revision ${previous.revision}`,
        factors: [
          ...(crashing.length === pods.length ? ["every pod is affected"] : []),
          ...(recent ? ["the rollout is recent"] : []),
        ],
      },
      [{ workflowId: "restart-pod-v1", whyNot: "a restart runs the same broken revision again" }],
    );
  }

  if (evidence.hpa?.saturated) {
    const maxReplicas = Math.ceil(evidence.hpa.maxReplicas * 1.5);
    return chosen(
      {
        workflowId: "patch-hpa-v1",
        confidence: 0.8,
        parameters: { maxReplicas },
        rootCause: `HPA ${evidence.hpa.name} is at its maximum of ${evidence.hpa.maxReplicas} replicas and still limited`,
        rationale: `raising maxReplicas to ${maxReplicas}`,
        factors: [],
      },
      [
        {
          workflowId: "scale-replicas-v1",
          whyNot: "an HPA manages the replicas and would undo a manual scale",
        },
      ],
    );
  }

  if (crashing.length === 0 && pulling.length === 0 && current && previous && !allReady) {
    return chosen({
      workflowId: "crashloop-rollback-v1",
      confidence: 0.7,
      parameters: { toRevision: previous.revision },
      rootCause: `the rollout of revision ${current.revision} is stuck: ${evidence.target.updatedReplicas ?? 0}/${replicas} updated pods, ${pods.filter((p) => p.ready).length} ready`,
      rationale: `revision ${previous.revision} ran before; rolling back unblocks the rollout`,
      factors: pods.some((p) => p.phase === "Pending") ? ["pods are Pending (scheduling or resources)"] : [],
    });
  }

  if (crashing.length > 0) {
    return chosen({
      workflowId: "restart-pod-v1",
      confidence: 0.6,
      parameters: { mode: "deletePod" },
      rootCause: `${crashing.length}/${pods.length} pods of ${target.name} crash-loop with no recent rollout to blame`,
      rationale: "a restart rarely fixes a crash loop; proposed with low confidence so a human reviews it",
      factors: [],
    });
  }
  return attach(selectByAlertName(rr.signal, target, catalog));
}
