import { describe, expect, it } from "vitest";
import { inferOwnerFromPodName, resolveTarget } from "./target";

describe("resolveTarget", () => {
  it.each([
    {
      case: "deployment label wins over pod, node and scrape labels",
      labels: {
        namespace: "staging",
        deployment: "api-gateway",
        pod: "api-gateway-6d4b79c5f9-abcdef",
        node: "w3",
        job: "kubernetes-pods",
        instance: "10.0.0.1:8080",
      },
      expected: { kind: "Deployment", name: "api-gateway", namespace: "staging" },
      source: "label",
    },
    {
      case: "statefulset label",
      labels: { namespace: "db", statefulset: "postgres", pod: "postgres-0" },
      expected: { kind: "StatefulSet", name: "postgres", namespace: "db" },
      source: "label",
    },
    {
      case: "daemonset label",
      labels: { namespace: "kube-system", daemonset: "fluentd" },
      expected: { kind: "DaemonSet", name: "fluentd", namespace: "kube-system" },
      source: "label",
    },
    {
      case: "job label that prefixes the pod name is a Kubernetes Job",
      labels: {
        namespace: "production",
        job: "database-backup-cronjob",
        pod: "database-backup-cronjob-789ghi",
      },
      expected: { kind: "Job", name: "database-backup-cronjob", namespace: "production" },
      source: "label",
    },
    {
      case: "job label naming the exporter is ignored; the pod name implies a Deployment",
      labels: { namespace: "production", job: "kubernetes-pods", pod: "webapp-5c7d8f9b4c-x2z4q" },
      expected: { kind: "Deployment", name: "webapp", namespace: "production" },
      source: "pod-name",
    },
    {
      case: "kube-state-metrics job_name names a Job",
      labels: { namespace: "batch", job: "kube-state-metrics", job_name: "nightly-report" },
      expected: { kind: "Job", name: "nightly-report", namespace: "batch" },
      source: "label",
    },
    {
      // Issue 20: `<name>-<digits>` is as often a person's naming as a StatefulSet ordinal, so the pod
      // stays a Pod and enrichment resolves its owner through ownerReferences.
      case: "pod-only: a name ending in digits stays a Pod (no StatefulSet guess)",
      labels: { namespace: "db", pod: "redis-2" },
      expected: { kind: "Pod", name: "redis-2", namespace: "db" },
      source: "pod",
    },
    {
      case: "pod-only: payment-api-789 is not a StatefulSet called payment-api",
      labels: { namespace: "shop", pod: "payment-api-789" },
      expected: { kind: "Pod", name: "payment-api-789", namespace: "shop" },
      source: "pod",
    },
    {
      case: "an HPA alert targets the HPA, not the kube-state-metrics pod that scraped it",
      labels: {
        namespace: "shop",
        horizontalpodautoscaler: "checkout",
        pod: "kube-state-metrics-7d9f8b6c4d-k2x9z",
        job: "kube-state-metrics",
      },
      expected: { kind: "HorizontalPodAutoscaler", name: "checkout", namespace: "shop" },
      source: "label",
    },
    {
      case: "a PDB alert targets the PDB",
      labels: { namespace: "shop", poddisruptionbudget: "checkout", job: "kube-state-metrics" },
      expected: { kind: "PodDisruptionBudget", name: "checkout", namespace: "shop" },
      source: "label",
    },
    {
      case: "a CronJob alert targets the CronJob",
      labels: { namespace: "batch", cronjob: "nightly-report", job: "kube-state-metrics" },
      expected: { kind: "CronJob", name: "nightly-report", namespace: "batch" },
      source: "label",
    },
    {
      case: "a ReplicaSet alert targets the ReplicaSet (enrichment finds its Deployment)",
      labels: { namespace: "shop", replicaset: "checkout-7b9d5c4f6" },
      expected: { kind: "ReplicaSet", name: "checkout-7b9d5c4f6", namespace: "shop" },
      source: "label",
    },
    {
      case: "a PVC alert targets the claim",
      labels: { namespace: "db", persistentvolumeclaim: "data-postgres-0", job: "kubelet" },
      expected: { kind: "PersistentVolumeClaim", name: "data-postgres-0", namespace: "db" },
      source: "label",
    },
    {
      case: "exported_namespace and exported_pod (federation, no honor_labels) name the object",
      labels: {
        namespace: "monitoring",
        pod: "kube-state-metrics-7d9f8b6c4d-k2x9z",
        exported_namespace: "shop",
        exported_pod: "cart-5c7d8f9b4c-x2z4q",
      },
      expected: { kind: "Deployment", name: "cart", namespace: "shop" },
      source: "pod-name",
    },
    {
      case: "a workload alert without a namespace is in default",
      labels: { deployment: "api" },
      expected: { kind: "Deployment", name: "api", namespace: "default" },
      source: "label",
    },
    {
      case: "a node alert keeps the exporter's namespace out of its target",
      labels: { node: "worker-1", namespace: "monitoring", job: "node-exporter" },
      expected: { kind: "Node", name: "worker-1" },
      source: "node",
    },
    {
      case: "pod-only: a name no controller generates stays a Pod",
      labels: { namespace: "default", pod: "debug-shell" },
      expected: { kind: "Pod", name: "debug-shell", namespace: "default" },
      source: "pod",
    },
    {
      case: "node, cluster-scoped (service/instance/container ignored)",
      labels: { node: "worker-1", service: "kubelet", instance: "10.0.0.7:10250", container: "x" },
      expected: { kind: "Node", name: "worker-1" },
      source: "node",
    },
    {
      case: "cluster label is carried",
      labels: { cluster: "prod-eu", namespace: "shop", deployment: "cart" },
      expected: { kind: "Deployment", name: "cart", namespace: "shop", cluster: "prod-eu" },
      source: "label",
    },
  ])("$case", ({ labels, expected, source }) => {
    // Act
    const result = resolveTarget(labels);
    // Assess
    expect(result).toEqual({ ok: true, target: expected, source });
  });

  it.each([
    {
      case: "no target labels at all",
      labels: { alertname: "Watchdog", service: "x", instance: "y" },
      reason: /^Unknown target: no label names a workload, pod or node/,
    },
    {
      // Issue 20: a namespace alone is an Unknown target; a whole namespace is never remediated.
      case: "a namespace-only alert",
      labels: { namespace: "payments", service: "payments-api" },
      reason: /^Unknown target: the alert names only namespace payments/,
    },
    {
      case: "scrape labels only: a known scrape job without a pod is not a target",
      labels: { namespace: "monitoring", job: "node-exporter", instance: "10.0.0.1:9100" },
      reason: /^Unknown target: the alert names only namespace monitoring/,
    },
    {
      case: "blank labels count as absent",
      labels: { deployment: " ", namespace: "" },
      reason: /^Unknown target: no label names/,
    },
  ])("rejects $case", ({ labels, reason }) => {
    const result = resolveTarget(labels);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});

describe("inferOwnerFromPodName", () => {
  it.each([
    ["payment-service-7b9d5c4f6-qwrtz", { kind: "Deployment", name: "payment-service" }],
    ["api-gateway-6d4b79c5f9-x7k2p", { kind: "Deployment", name: "api-gateway" }],
    // A StatefulSet ordinal is not distinctive enough to guess from (enrichment resolves it).
    ["kafka-0", undefined],
    ["standalone", undefined],
    // "abcdef" contains vowels, which Kubernetes' generated suffixes never do.
    ["api-gateway-6d4b79c5f9-abcdef", undefined],
  ])("%s", (pod, expected) => {
    expect(inferOwnerFromPodName(pod)).toEqual(expected);
  });
});
