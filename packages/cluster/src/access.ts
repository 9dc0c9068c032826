import {
  AppsV1Api,
  AutoscalingV2Api,
  BatchV1Api,
  CoreV1Api,
  type KubeConfig,
  NetworkingV1Api,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { ExecutionError } from "./errors";

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are handled generically by kind.
export type K8s = Record<string, any>;

export interface ObjectRef {
  kind: string;
  name: string;
  namespace?: string;
}

export type Patch = { strategy: "merge" | "strategic" | "json"; body: unknown };

const STRATEGY = {
  merge: PatchStrategy.MergePatch,
  strategic: PatchStrategy.StrategicMergePatch,
  json: PatchStrategy.JsonPatch,
} as const;

/** The typed clients of one cluster, and reads/patches by kind for the kinds the catalog acts on. */
export class ClusterAccess {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly policy: PolicyV1Api;
  readonly autoscaling: AutoscalingV2Api;
  readonly networking: NetworkingV1Api;
  readonly batch: BatchV1Api;

  constructor(kc: KubeConfig) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.policy = kc.makeApiClient(PolicyV1Api);
    this.autoscaling = kc.makeApiClient(AutoscalingV2Api);
    this.networking = kc.makeApiClient(NetworkingV1Api);
    this.batch = kc.makeApiClient(BatchV1Api);
  }

  async read(ref: ObjectRef): Promise<K8s> {
    const { name } = ref;
    const namespace = ref.namespace ?? "default";
    switch (ref.kind) {
      case "Deployment":
        return (await this.apps.readNamespacedDeployment({ name, namespace })) as K8s;
      case "StatefulSet":
        return (await this.apps.readNamespacedStatefulSet({ name, namespace })) as K8s;
      case "DaemonSet":
        return (await this.apps.readNamespacedDaemonSet({ name, namespace })) as K8s;
      case "ReplicaSet":
        return (await this.apps.readNamespacedReplicaSet({ name, namespace })) as K8s;
      case "Pod":
        return (await this.core.readNamespacedPod({ name, namespace })) as K8s;
      case "Node":
        return (await this.core.readNode({ name })) as K8s;
      case "HorizontalPodAutoscaler":
        return (await this.autoscaling.readNamespacedHorizontalPodAutoscaler({ name, namespace })) as K8s;
      case "Job":
        return (await this.batch.readNamespacedJob({ name, namespace })) as K8s;
      case "CronJob":
        return (await this.batch.readNamespacedCronJob({ name, namespace })) as K8s;
      case "PodDisruptionBudget":
        return (await this.policy.readNamespacedPodDisruptionBudget({ name, namespace })) as K8s;
      case "PersistentVolumeClaim":
        return (await this.core.readNamespacedPersistentVolumeClaim({ name, namespace })) as K8s;
      case "Namespace":
        return (await this.core.readNamespace({ name })) as K8s;
      default:
        throw new ExecutionError("PreconditionFailed", `reading ${ref.kind} is not supported`);
    }
  }

  async patch(ref: ObjectRef, patch: Patch): Promise<K8s> {
    const options = setHeaderOptions("Content-Type", STRATEGY[patch.strategy]);
    const { name } = ref;
    const namespace = ref.namespace ?? "default";
    const body = patch.body as object;
    switch (ref.kind) {
      case "Deployment":
        return (await this.apps.patchNamespacedDeployment({ name, namespace, body }, options)) as K8s;
      case "StatefulSet":
        return (await this.apps.patchNamespacedStatefulSet({ name, namespace, body }, options)) as K8s;
      case "DaemonSet":
        return (await this.apps.patchNamespacedDaemonSet({ name, namespace, body }, options)) as K8s;
      case "Node":
        return (await this.core.patchNode({ name, body }, options)) as K8s;
      case "HorizontalPodAutoscaler":
        return (await this.autoscaling.patchNamespacedHorizontalPodAutoscaler(
          { name, namespace, body },
          options,
        )) as K8s;
      default:
        throw new ExecutionError("PreconditionFailed", `patching ${ref.kind} is not supported`);
    }
  }

  async podsOf(workload: K8s): Promise<K8s[]> {
    const selector = workload.spec?.selector?.matchLabels as Record<string, string> | undefined;
    const namespace = workload.metadata?.namespace as string;
    if (!selector) return [];
    const labelSelector = Object.entries(selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    return (await this.core.listNamespacedPod({ namespace, labelSelector })).items as K8s[];
  }
}
