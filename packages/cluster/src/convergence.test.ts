import { describe, expect, it } from "vitest";
import type { K8s } from "./access";
import { evictablePods, nodeDrain, workloadRollout } from "./convergence";

const object = (spec: K8s, status: K8s, generation = 2): K8s => ({
  metadata: { name: "x", namespace: "shop", generation },
  spec,
  status,
});

describe("workloadRollout", () => {
  // Status documents as kube-apiserver serves them: counts that are 0 are absent (omitempty).
  it.each<[string, string, K8s, boolean]>([
    [
      "a Deployment fully rolled out",
      "Deployment",
      object(
        { replicas: 3 },
        { observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 },
      ),
      true,
    ],
    [
      "a Deployment whose controller has not seen the change",
      "Deployment",
      object({ replicas: 3 }, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3 }),
      false,
    ],
    [
      "a Deployment right after the controller saw it: no pod updated yet (updatedReplicas omitted)",
      "Deployment",
      object({ replicas: 3 }, { observedGeneration: 2, replicas: 3, readyReplicas: 3, availableReplicas: 3 }),
      false,
    ],
    [
      "a StatefulSet fully rolled out",
      "StatefulSet",
      object(
        { replicas: 2 },
        {
          observedGeneration: 2,
          replicas: 2,
          readyReplicas: 2,
          currentReplicas: 2,
          updatedReplicas: 2,
          availableReplicas: 2,
          currentRevision: "db-7c9",
          updateRevision: "db-7c9",
        },
      ),
      true,
    ],
    [
      "a StatefulSet mid-rollout: old pods ready, none updated (updatedReplicas omitted)",
      "StatefulSet",
      object(
        { replicas: 2 },
        {
          observedGeneration: 2,
          replicas: 2,
          readyReplicas: 2,
          currentReplicas: 2,
          availableReplicas: 2,
          currentRevision: "db-5f4",
          updateRevision: "db-7c9",
        },
      ),
      false,
    ],
    [
      "a StatefulSet whose pods are updated but whose revision has not caught up",
      "StatefulSet",
      object(
        { replicas: 2 },
        {
          observedGeneration: 2,
          replicas: 2,
          readyReplicas: 2,
          updatedReplicas: 2,
          currentRevision: "db-5f4",
          updateRevision: "db-7c9",
        },
      ),
      false,
    ],
    [
      "a StatefulSet with OnDelete: updated and ready is enough",
      "StatefulSet",
      object(
        { replicas: 1, updateStrategy: { type: "OnDelete" } },
        {
          observedGeneration: 2,
          replicas: 1,
          readyReplicas: 1,
          updatedReplicas: 1,
          currentRevision: "db-5f4",
          updateRevision: "db-7c9",
        },
      ),
      true,
    ],
    [
      "a DaemonSet fully rolled out (it has no spec.replicas)",
      "DaemonSet",
      object(
        {},
        {
          observedGeneration: 2,
          desiredNumberScheduled: 3,
          currentNumberScheduled: 3,
          updatedNumberScheduled: 3,
          numberReady: 3,
          numberAvailable: 3,
          numberMisscheduled: 0,
        },
      ),
      true,
    ],
    [
      "a DaemonSet with one node still on the old template",
      "DaemonSet",
      object(
        {},
        {
          observedGeneration: 2,
          desiredNumberScheduled: 3,
          currentNumberScheduled: 3,
          updatedNumberScheduled: 2,
          numberReady: 3,
          numberAvailable: 3,
          numberMisscheduled: 0,
        },
      ),
      false,
    ],
    [
      "a DaemonSet whose updated pods are not available yet (numberAvailable omitted)",
      "DaemonSet",
      object(
        {},
        {
          observedGeneration: 2,
          desiredNumberScheduled: 2,
          currentNumberScheduled: 2,
          updatedNumberScheduled: 2,
          numberReady: 0,
          numberUnavailable: 2,
          numberMisscheduled: 0,
        },
      ),
      false,
    ],
  ])("%s", (_case, kind, workload, converged) => {
    expect(workloadRollout(kind, workload).converged).toBe(converged);
  });

  it("says how far it got, in the kind's own terms", () => {
    expect(
      workloadRollout(
        "DaemonSet",
        object({}, { observedGeneration: 2, desiredNumberScheduled: 3, updatedNumberScheduled: 1 }),
      ).detail,
    ).toBe("1/3 scheduled pods updated, 0 available, generation 2/2");
  });
});

const pod = (name: string, extra: { owner?: string; mirror?: boolean; terminating?: boolean } = {}): K8s => ({
  metadata: {
    name,
    namespace: "shop",
    ...(extra.owner ? { ownerReferences: [{ kind: extra.owner, name: "owner", controller: true }] } : {}),
    ...(extra.mirror ? { annotations: { "kubernetes.io/config.mirror": "hash" } } : {}),
    ...(extra.terminating ? { deletionTimestamp: "2026-12-01T00:00:00Z" } : {}),
  },
});

describe("evictablePods and nodeDrain", () => {
  it.each<[string, K8s, boolean]>([
    ["a ReplicaSet's pod", pod("web-1", { owner: "ReplicaSet" }), true],
    ["a StatefulSet's pod", pod("db-0", { owner: "StatefulSet" }), true],
    ["a bare pod", pod("debug"), true],
    [
      "a pod already terminating (still on the node)",
      pod("web-2", { owner: "ReplicaSet", terminating: true }),
      true,
    ],
    ["a DaemonSet's pod", pod("agent-x", { owner: "DaemonSet" }), false],
    ["a mirror pod", pod("kube-proxy-node", { mirror: true }), false],
  ])("%s is evictable: %s", (_case, candidate, evictable) => {
    expect(evictablePods([candidate])).toHaveLength(evictable ? 1 : 0);
  });

  it.each<[string, K8s, K8s[], boolean, boolean]>([
    ["schedulable", { spec: {} }, [], true, false],
    ["cordoned, nothing to drain", { spec: { unschedulable: true } }, [], true, true],
    [
      "cordoned, only DaemonSet and mirror pods left",
      { spec: { unschedulable: true } },
      [pod("agent-x", { owner: "DaemonSet" }), pod("kube-proxy", { mirror: true })],
      true,
      true,
    ],
    [
      "cordoned, a pod a PodDisruptionBudget kept",
      { spec: { unschedulable: true } },
      [pod("web-1", { owner: "ReplicaSet" })],
      true,
      false,
    ],
    [
      "cordon only (drain: false), pods still there",
      { spec: { unschedulable: true } },
      [pod("web-1", { owner: "ReplicaSet" })],
      false,
      true,
    ],
  ])("a node %s: converged %s", (_case, node, pods, drain, converged) => {
    expect(nodeDrain(node, pods, drain).converged).toBe(converged);
  });
});
