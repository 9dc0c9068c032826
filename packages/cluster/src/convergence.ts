import type { K8s } from "./access";

/** Whether a remediation's change has taken effect, and a line saying how far it got. */
export interface Convergence {
  converged: boolean;
  detail: string;
}

/** A count from a workload's status: kube-apiserver omits the fields that are 0 (`omitempty`). */
const count = (value: unknown): number => (typeof value === "number" ? value : 0);

/**
 * Whether a workload's rollout has finished, read from the status fields its own controller publishes —
 * each kind has its own (DESIGN §3.8). The controller must have seen the latest spec (observedGeneration)
 * before anything else counts, and an absent count is 0: right after a change the controller may have
 * updated no pod yet, and that must never read as "all of them".
 */
export function workloadRollout(kind: string, object: K8s): Convergence {
  const status = object.status ?? {};
  const generation = object.metadata?.generation ?? 0;
  const observed = status.observedGeneration ?? 0;
  const seen = observed >= generation;
  const generations = `generation ${observed}/${generation}`;
  switch (kind) {
    case "DaemonSet": {
      // One pod per eligible node: desired is what the controller schedules, not spec.replicas.
      const desired = count(status.desiredNumberScheduled);
      const updated = count(status.updatedNumberScheduled);
      const available = count(status.numberAvailable);
      return {
        converged: seen && updated >= desired && available >= desired,
        detail: `${updated}/${desired} scheduled pods updated, ${available} available, ${generations}`,
      };
    }
    case "StatefulSet": {
      const want = object.spec?.replicas ?? 1;
      const updated = count(status.updatedReplicas);
      const ready = count(status.readyReplicas);
      // A rolling update is done when every pod runs the update revision; with OnDelete the controller
      // never replaces pods itself, so the revisions may legitimately differ.
      const onDelete = object.spec?.updateStrategy?.type === "OnDelete";
      const revisions = onDelete || status.currentRevision === status.updateRevision;
      return {
        converged: seen && revisions && updated >= want && ready >= want,
        detail: `${ready}/${want} ready, ${updated} updated, revision ${status.currentRevision ?? "?"}${
          status.updateRevision && status.updateRevision !== status.currentRevision
            ? ` → ${status.updateRevision}`
            : ""
        }, ${generations}`,
      };
    }
    default: {
      // Deployment (and anything with the same status shape: replicas, updated, ready).
      const want = object.spec?.replicas ?? 1;
      const updated = count(status.updatedReplicas);
      const ready = count(status.readyReplicas);
      return {
        converged: seen && updated >= want && ready >= want,
        detail: `${ready}/${want} ready, ${updated} updated, ${generations}`,
      };
    }
  }
}

/** kubectl's marker of a static pod's mirror: the kubelet owns it, an eviction would not remove it. */
export const MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror";

/**
 * The pods a drain must move off a node, chosen as `kubectl drain --ignore-daemonsets` does: every pod
 * except DaemonSet pods (their controller would put them straight back, and they tolerate the cordon)
 * and mirror pods (the kubelet runs them from a file). Pods already terminating still count until they
 * are gone.
 */
export function evictablePods(pods: readonly K8s[]): K8s[] {
  return pods.filter(
    (pod) =>
      !(pod.metadata?.ownerReferences ?? []).some((o: K8s) => o.kind === "DaemonSet") &&
      pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] === undefined,
  );
}

/**
 * A node remediation has converged when the node is cordoned and — if it was to be drained — no evictable
 * pod is left on it. Cordoning alone is not done: a drain a PodDisruptionBudget stopped leaves pods
 * behind, and that must read as not converged, so verification waits for them or times out.
 */
export function nodeDrain(node: K8s, podsOnNode: readonly K8s[], drain: boolean): Convergence {
  const cordoned = node.spec?.unschedulable === true;
  if (!cordoned) return { converged: false, detail: "schedulable" };
  if (!drain) return { converged: true, detail: "cordoned" };
  const left = evictablePods(podsOnNode);
  if (left.length === 0) return { converged: true, detail: "cordoned and drained" };
  const names = left.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
  return {
    converged: false,
    detail: `cordoned; ${left.length} evictable pod(s) left: ${names.slice(0, 5).join(", ")}${names.length > 5 ? ", …" : ""}`,
  };
}
