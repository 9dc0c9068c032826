/** The API resources the simulator serves (DESIGN §7), by plural name. */
export interface ResourceType {
  plural: string;
  kind: string;
  group: string;
  version: string;
  namespaced: boolean;
}

const r = (
  plural: string,
  kind: string,
  group: string,
  version: string,
  namespaced = true,
): ResourceType => ({
  plural,
  kind,
  group,
  version,
  namespaced,
});

export const RESOURCES: readonly ResourceType[] = [
  r("namespaces", "Namespace", "", "v1", false),
  r("nodes", "Node", "", "v1", false),
  r("pods", "Pod", "", "v1"),
  r("events", "Event", "", "v1"),
  r("configmaps", "ConfigMap", "", "v1"),
  r("persistentvolumeclaims", "PersistentVolumeClaim", "", "v1"),
  r("deployments", "Deployment", "apps", "v1"),
  r("replicasets", "ReplicaSet", "apps", "v1"),
  r("statefulsets", "StatefulSet", "apps", "v1"),
  r("controllerrevisions", "ControllerRevision", "apps", "v1"),
  r("daemonsets", "DaemonSet", "apps", "v1"),
  r("jobs", "Job", "batch", "v1"),
  r("cronjobs", "CronJob", "batch", "v1"),
  r("horizontalpodautoscalers", "HorizontalPodAutoscaler", "autoscaling", "v2"),
  r("poddisruptionbudgets", "PodDisruptionBudget", "policy", "v1"),
  r("networkpolicies", "NetworkPolicy", "networking.k8s.io", "v1"),
];

export const byPlural = new Map(RESOURCES.map((t) => [t.plural, t]));
export const byKind = new Map(RESOURCES.map((t) => [t.kind, t]));

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}
