import { defineWorkflow, parseWorkflow, type WorkflowDefinition } from "./definition";

/**
 * The shipped catalog. Ids and action types are Kubernaut's where it has them (the seed trusts
 * `crashloop-rollback-v1`, `restart-pod-v1` and `increase-memory-limits-v1` by name).
 */
export const CATALOG: readonly WorkflowDefinition[] = [
  defineWorkflow({
    id: "crashloop-rollback-v1",
    version: "1.0.0",
    actionType: "RollbackDeployment",
    description: {
      what: "Roll a Deployment back to its last healthy revision.",
      whenToUse: "Pods crash-loop and a rollout happened shortly before.",
      whenNotToUse: "No recent rollout, or the previous revision was unhealthy too.",
      preconditions: ["the Deployment has a previous revision"],
    },
    signals: ["PodCrashLooping", "KubePodCrashLooping", "KubeDeploymentRolloutStuck"],
    targetKinds: ["Deployment"],
    parameters: {
      toRevision: {
        type: "integer",
        description: "the revision to roll back to (0 = the previous one)",
        minimum: 0,
        default: 0,
      },
    },
    changesSpec: true,
    reversible: true,
    blastRadius: "every pod of the Deployment",
    steps: [
      { name: "rollback", action: "RollbackDeployment", with: { toRevision: "{{ parameters.toRevision }}" } },
    ],
  }),
  defineWorkflow({
    id: "restart-pod-v1",
    version: "1.0.0",
    actionType: "RestartPod",
    description: {
      what: "Delete the failing pod so its controller replaces it (or restart the rollout).",
      whenToUse: "A single pod is stuck or crash-looping without a recent rollout.",
      whenNotToUse: "Every replica fails the same way: a restart will not help.",
      preconditions: ["the pod is owned by a controller"],
    },
    signals: ["PodNotReady", "KubePodNotReady", "PodCrashLooping", "KubePodCrashLooping"],
    targetKinds: ["Deployment", "StatefulSet", "DaemonSet", "Pod"],
    parameters: {
      mode: {
        type: "string",
        description: "delete one pod or restart the rollout",
        enum: ["deletePod", "rolloutRestart"],
        default: "deletePod",
      },
    },
    changesSpec: false,
    reversible: true,
    blastRadius: "one pod",
    steps: [{ name: "restart", action: "RestartPod", with: { mode: "{{ parameters.mode }}" } }],
  }),
  defineWorkflow({
    id: "increase-memory-limits-v1",
    version: "1.0.0",
    actionType: "IncreaseMemoryLimits",
    description: {
      what: "Raise a container's memory limit to an absolute new value.",
      whenToUse: "Containers are OOMKilled or run close to their memory limit.",
      whenNotToUse: "Memory grows without bound (a leak): a higher limit only delays the next kill.",
      preconditions: ["the container has a memory limit"],
    },
    signals: ["HighMemoryUsage", "KubeContainerOOMKilled", "ContainerOOMKilled"],
    targetKinds: ["Deployment", "StatefulSet", "DaemonSet"],
    parameters: {
      container: { type: "string", description: "the container to change", required: true },
      memoryLimit: {
        type: "quantity",
        description: "the new absolute memory limit, a Kubernetes quantity (e.g. 768Mi, 1Gi)",
        required: true,
        minimum: "16Mi",
      },
    },
    changesSpec: true,
    reversible: true,
    blastRadius: "every pod of the workload (rolling)",
    steps: [
      {
        name: "set-memory-limit",
        action: "IncreaseMemoryLimits",
        with: { container: "{{ parameters.container }}", memoryLimit: "{{ parameters.memoryLimit }}" },
      },
    ],
  }),
  defineWorkflow({
    id: "scale-replicas-v1",
    version: "1.0.0",
    actionType: "ScaleReplicas",
    description: {
      what: "Set a workload's replica count.",
      whenToUse: "Load exceeds what the current replicas serve and no HPA manages the workload.",
      whenNotToUse: "An HPA manages replicas (patch the HPA instead).",
      preconditions: ["no HPA targets the workload"],
    },
    signals: ["HighRequestLatency", "KubeDeploymentReplicasMismatch"],
    targetKinds: ["Deployment", "StatefulSet"],
    parameters: {
      replicas: {
        type: "integer",
        description: "the new absolute replica count",
        required: true,
        minimum: 1,
        maximum: 100,
      },
    },
    changesSpec: false,
    reversible: true,
    blastRadius: "adds or removes pods",
    steps: [{ name: "scale", action: "ScaleReplicas", with: { replicas: "{{ parameters.replicas }}" } }],
  }),
  defineWorkflow({
    id: "patch-hpa-v1",
    version: "1.0.0",
    actionType: "PatchHPA",
    description: {
      what: "Raise an HPA's maxReplicas.",
      whenToUse: "The HPA sits at maxReplicas while load stays high.",
      whenNotToUse: "The cluster has no capacity for more pods.",
      preconditions: ["an HPA targets the workload"],
    },
    signals: ["KubeHpaMaxedOut", "CPUThrottlingHigh"],
    targetKinds: ["Deployment", "StatefulSet"],
    parameters: {
      maxReplicas: {
        type: "integer",
        description: "the new absolute maxReplicas",
        required: true,
        minimum: 1,
        maximum: 200,
      },
    },
    changesSpec: false,
    reversible: true,
    blastRadius: "allows more pods",
    steps: [
      {
        name: "raise-max-replicas",
        action: "PatchHPA",
        with: { maxReplicas: "{{ parameters.maxReplicas }}" },
      },
    ],
  }),
  defineWorkflow({
    id: "cordon-drain-node-v1",
    version: "1.0.0",
    actionType: "CordonDrainNode",
    description: {
      what: "Cordon a node and evict its pods, respecting PodDisruptionBudgets.",
      whenToUse: "A node is NotReady or degraded and its pods should move.",
      whenNotToUse: "Several nodes are affected at once (a cluster-wide problem).",
      preconditions: ["other nodes can take the pods"],
    },
    signals: ["KubeNodeNotReady", "NodeNotReady", "KubeNodeUnreachable"],
    targetKinds: ["Node"],
    parameters: {
      drain: { type: "boolean", description: "evict pods after cordoning", default: true },
    },
    changesSpec: false,
    reversible: true,
    blastRadius: "every pod on the node",
    steps: [{ name: "cordon-drain", action: "CordonDrainNode", with: { drain: "{{ parameters.drain }}" } }],
  }),
  defineWorkflow({
    id: "rollback-statefulset-v1",
    version: "1.0.0",
    actionType: "RollbackStatefulSet",
    description: {
      what: "Roll a StatefulSet back to a previous controllerrevision.",
      whenToUse: "StatefulSet pods crash-loop after an update.",
      whenNotToUse: "The update migrated data the old revision cannot read.",
      preconditions: ["a previous controllerrevision exists"],
    },
    signals: ["KubeStatefulSetUpdateNotRolledOut", "PodCrashLooping", "KubePodCrashLooping"],
    targetKinds: ["StatefulSet"],
    parameters: {
      toRevision: {
        type: "integer",
        description: "the controllerrevision to restore (0 = the previous one)",
        minimum: 0,
        default: 0,
      },
    },
    changesSpec: true,
    reversible: true,
    blastRadius: "every pod of the StatefulSet, in order",
    steps: [
      {
        name: "rollback",
        action: "RollbackStatefulSet",
        with: { toRevision: "{{ parameters.toRevision }}" },
      },
    ],
  }),
];

export function findWorkflow(
  id: string,
  catalog: readonly WorkflowDefinition[] = CATALOG,
): WorkflowDefinition | undefined {
  return catalog.find((workflow) => workflow.id === id);
}

/**
 * The built-in catalog plus workflows from elsewhere — the catalog directory's files, then those
 * registered at runtime (through the API or from suggestions; stored with their trust records). A
 * stored definition that no longer validates, or shadows an id already present, is left out rather
 * than failing every remediation.
 */
export function withRegistered(
  catalog: readonly WorkflowDefinition[],
  stored: readonly unknown[],
): readonly WorkflowDefinition[] {
  const registered: WorkflowDefinition[] = [];
  for (const raw of stored) {
    const parsed = parseWorkflow(raw);
    if (!parsed.ok) continue;
    const id = parsed.definition.id;
    if (catalog.some((w) => w.id === id) || registered.some((w) => w.id === id)) continue;
    registered.push(parsed.definition);
  }
  return registered.length ? [...catalog, ...registered] : catalog;
}
