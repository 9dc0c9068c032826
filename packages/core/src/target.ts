import type { ResourceRef, TargetSource } from "./remediation";

export type TargetResolution =
  | { ok: true; target: ResourceRef; source: TargetSource }
  | { ok: false; reason: string };

/** Workload labels in precedence order (DESIGN §3.1); `job` is handled separately, see isWorkloadJob. */
const WORKLOAD_LABELS = [
  ["deployment", "Deployment"],
  ["statefulset", "StatefulSet"],
  ["daemonset", "DaemonSet"],
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
const STATEFULSET_POD = /^(.+)-(\d+)$/;

/**
 * Infers the controller from a pod's generated name. Ingest may not call the cluster (its function stays
 * small), so this is a guess that enrichment verifies through the owner chain.
 */
export function inferOwnerFromPodName(pod: string): { kind: string; name: string } | undefined {
  const deployment = DEPLOYMENT_POD.exec(pod);
  if (deployment?.[1]) return { kind: "Deployment", name: deployment[1] };
  const statefulSet = STATEFULSET_POD.exec(pod);
  if (statefulSet?.[1]) return { kind: "StatefulSet", name: statefulSet[1] };
  return undefined;
}

/**
 * Works out which resource an alert is about, from its labels alone (DESIGN §3.1): a workload label,
 * then `pod` (attributed to the controller its name implies), then `node`, then `namespace`. The
 * scrape-target labels (`service`, `instance`, `endpoint`, `container`, and `job` when it names the
 * exporter) are never targets.
 */
export function resolveTarget(labels: Readonly<Record<string, string | undefined>>): TargetResolution {
  const namespace = nonEmpty(labels.namespace);
  const cluster = nonEmpty(labels.cluster);
  const scoped = (kind: string, name: string, source: TargetSource): TargetResolution => {
    if (!namespace) return { ok: false, reason: `label "${sourceLabel(kind)}" needs a "namespace" label` };
    return { ok: true, target: withCluster({ kind, name, namespace }, cluster), source };
  };

  for (const [label, kind] of WORKLOAD_LABELS) {
    const name = nonEmpty(labels[label]);
    if (name) return scoped(kind, name, "label");
  }
  const pod = nonEmpty(labels.pod);
  const job = nonEmpty(labels.job_name) ?? nonEmpty(labels.job);
  if (job && (labels.job_name !== undefined || isWorkloadJob(job, pod))) return scoped("Job", job, "label");
  if (pod) {
    const owner = inferOwnerFromPodName(pod);
    return owner ? scoped(owner.kind, owner.name, "pod-name") : scoped("Pod", pod, "pod");
  }
  const node = nonEmpty(labels.node);
  if (node) return { ok: true, target: withCluster({ kind: "Node", name: node }, cluster), source: "node" };
  if (namespace) {
    return {
      ok: true,
      target: withCluster({ kind: "Namespace", name: namespace }, cluster),
      source: "namespace",
    };
  }
  return {
    ok: false,
    reason:
      "no target label: expected one of deployment, statefulset, daemonset, job, pod, node or namespace",
  };
}

function sourceLabel(kind: string): string {
  return kind === "Pod" ? "pod" : kind.toLowerCase();
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function withCluster(ref: ResourceRef, cluster: string | undefined): ResourceRef {
  return cluster ? { ...ref, cluster } : ref;
}
