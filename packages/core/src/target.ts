import type { ResourceRef, TargetSource } from "./remediation";

export type TargetResolution =
  | { ok: true; target: ResourceRef; source: TargetSource }
  | { ok: false; reason: string };

/**
 * Labels naming the object an alert is about, in precedence order (DESIGN §3.1, issue 20). The
 * kube-state-metrics labels for HPAs, PDBs, CronJobs, ReplicaSets and PVCs name that object, so an
 * alert about an HPA at its maximum targets the HPA, never the exporter pod that scraped it. `job` is
 * handled separately (see isWorkloadJob): it is also Prometheus' scrape-job label.
 */
const OBJECT_LABELS = [
  ["deployment", "Deployment"],
  ["statefulset", "StatefulSet"],
  ["daemonset", "DaemonSet"],
  ["cronjob", "CronJob"],
  ["replicaset", "ReplicaSet"],
  ["horizontalpodautoscaler", "HorizontalPodAutoscaler"],
  ["poddisruptionbudget", "PodDisruptionBudget"],
  ["persistentvolumeclaim", "PersistentVolumeClaim"],
] as const;

/**
 * Scrape jobs that Prometheus stamps as `job` on every series they produce. They name the exporter,
 * not a Kubernetes Job, and remediating "kube-state-metrics" because it reported a crash would be absurd.
 */
const SCRAPE_JOBS = new Set([
  "kubernetes-pods",
  "kubernetes-service-endpoints",
  "kubernetes-nodes",
  "kubernetes-cadvisor",
  "kubernetes-apiservers",
  "kube-state-metrics",
  "node-exporter",
  "kubelet",
  "cadvisor",
  "apiserver",
  "prometheus",
  "alertmanager",
  "coredns",
  "blackbox",
]);

/** Where a namespaced object lives when its alert names no namespace (Kubernetes' own default). */
export const DEFAULT_NAMESPACE = "default";

/**
 * Whether the `job` label names a Kubernetes Job. A Job's pods are named `<job>-<suffix>`, so a pod
 * label with that prefix is strong evidence; without a pod we accept any name that is not a known
 * scrape job and does not look like a scrape-config path (`namespace/name`).
 */
function isWorkloadJob(job: string, pod: string | undefined): boolean {
  if (pod !== undefined) return pod.startsWith(`${job}-`);
  return !SCRAPE_JOBS.has(job) && !job.includes("/") && !job.startsWith("serviceMonitor");
}

/** Kubernetes' SafeEncodeString alphabet: pod-template hashes and generated suffixes use only these. */
const SAFE = "[bcdfghjklmnpqrstvwxz2456789]";
const DEPLOYMENT_POD = new RegExp(`^(.+)-${SAFE}{6,10}-${SAFE}{5}$`);

/**
 * The controller a pod's generated name implies, as a provisional guess: ingest may not call the
 * cluster (its function stays small), and enrichment replaces the guess with what the pod's
 * ownerReferences say. Only the Deployment form is distinctive enough to guess (a pod-template hash
 * and a suffix from Kubernetes' safe alphabet); `<name>-<digits>` is as often a person's naming
 * (`payment-api-789`) as a StatefulSet ordinal, so such a pod stays a Pod until enrichment resolves it.
 */
export function inferOwnerFromPodName(pod: string): { kind: string; name: string } | undefined {
  const deployment = DEPLOYMENT_POD.exec(pod);
  if (deployment?.[1]) return { kind: "Deployment", name: deployment[1] };
  return undefined;
}

/**
 * The alert's labels as the target rules read them. Federation and kube-state-metrics without
 * `honor_labels` move the object's namespace and pod to `exported_namespace` / `exported_pod` (the
 * plain labels then name the exporter's), so the exported ones win.
 */
function targetLabels(labels: Readonly<Record<string, string | undefined>>) {
  return {
    get: (name: string) => nonEmpty(labels[name]),
    namespace: nonEmpty(labels.exported_namespace) ?? nonEmpty(labels.namespace),
    pod: nonEmpty(labels.exported_pod) ?? nonEmpty(labels.pod),
    cluster: nonEmpty(labels.cluster),
  };
}

/**
 * Works out which resource an alert is about, from its labels alone (DESIGN §3.1): the object labels
 * above, then `job` when it names a Kubernetes Job, then `pod` (provisionally its Deployment when the
 * name says so), then `node`. A namespaced object without a namespace label is in `default`. An alert
 * naming only a namespace, or only scrape-target labels (`job` naming the exporter, `service`,
 * `instance`, `endpoint`, `container`), has an Unknown target: a whole namespace is never remediated.
 */
export function resolveTarget(labels: Readonly<Record<string, string | undefined>>): TargetResolution {
  const { get, namespace, pod, cluster } = targetLabels(labels);
  const scoped = (kind: string, name: string, source: TargetSource): TargetResolution => ({
    ok: true,
    target: withCluster({ kind, name, namespace: namespace ?? DEFAULT_NAMESPACE }, cluster),
    source,
  });

  for (const [label, kind] of OBJECT_LABELS) {
    const name = get(label);
    if (name) return scoped(kind, name, "label");
  }
  const job = get("job_name") ?? get("job");
  if (job && (labels.job_name !== undefined || isWorkloadJob(job, pod))) return scoped("Job", job, "label");
  if (pod) {
    const owner = inferOwnerFromPodName(pod);
    return owner ? scoped(owner.kind, owner.name, "pod-name") : scoped("Pod", pod, "pod");
  }
  // Nodes are cluster-scoped: the namespace label on a node alert is the exporter's, so it is not part
  // of the target (and so not of the fingerprint).
  const node = get("node");
  if (node) return { ok: true, target: withCluster({ kind: "Node", name: node }, cluster), source: "node" };
  return {
    ok: false,
    reason: namespace
      ? `Unknown target: the alert names only namespace ${namespace} (a whole namespace is never remediated); add a workload, pod or node label`
      : "Unknown target: no label names a workload, pod or node (deployment, statefulset, daemonset, cronjob, job, replicaset, horizontalpodautoscaler, poddisruptionbudget, persistentvolumeclaim, pod, node)",
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function withCluster(ref: ResourceRef, cluster: string | undefined): ResourceRef {
  return cluster ? { ...ref, cluster } : ref;
}
