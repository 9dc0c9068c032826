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
      case: "a known scrape job without a pod is not a target",
      labels: { namespace: "monitoring", job: "node-exporter" },
      expected: { kind: "Namespace", name: "monitoring" },
      source: "namespace",
    },
    {
      case: "pod-only: StatefulSet ordinal",
      labels: { namespace: "db", pod: "redis-2" },
      expected: { kind: "StatefulSet", name: "redis", namespace: "db" },
      source: "pod-name",
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
    {
      case: "namespace last",
      labels: { namespace: "payments", service: "payments-api" },
      expected: { kind: "Namespace", name: "payments" },
      source: "namespace",
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
      reason: /no target label/,
    },
    {
      case: "a workload without its namespace",
      labels: { deployment: "api" },
      reason: /needs a "namespace" label/,
    },
    {
      case: "blank labels count as absent",
      labels: { deployment: " ", namespace: "" },
      reason: /no target label/,
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
    ["kafka-0", { kind: "StatefulSet", name: "kafka" }],
    ["standalone", undefined],
    // "abcdef" contains vowels, which Kubernetes' generated suffixes never do.
    ["api-gateway-6d4b79c5f9-abcdef", undefined],
  ])("%s", (pod, expected) => {
    expect(inferOwnerFromPodName(pod)).toEqual(expected);
  });
});
