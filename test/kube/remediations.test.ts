import { isTerminal, type RemediationRequest } from "@kubernaut/core";
import { sourcePath } from "@kubernaut/policy";
import { approvalIdFor } from "@kubernaut/store";
import { type KubeConfig, PatchStrategy, setHeaderOptions, type V1Pod } from "@kubernetes/client-node";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { webhook } from "../support/alerts";
import { DEDICATED_TAINT, eventually, kubeCluster } from "../support/kube";
import { apiRequest, createPipelineHarness, type PipelineHarness } from "../support/pipeline";

/**
 * Each catalog workflow the rules choose from cluster evidence, driven from an alert through the real
 * pipeline to the real API server, with the behaviour model played by the fake kubelet: OOMKilled
 * containers on a Deployment and a DaemonSet, a NotReady node whose drain a PodDisruptionBudget stops,
 * and a stuck pod whose controller the product does not follow (a ReplicationController), so the pod
 * itself is the target.
 */
const cluster = kubeCluster("remed");
const ns = (name: string) => `${name}${cluster.suffix}`;
let product: KubeConfig;

/** Pods here run on this file's own tainted nodes, so no other file's pods are drained or replaced. */
const pinned = (node: string) => `
      nodeSelector: { kubernetes.io/hostname: ${node} }
      tolerations: [{ key: ${DEDICATED_TAINT}, operator: Exists }]`;

const SCENARIO = `
apiVersion: v1
kind: Namespace
metadata: { name: apps, labels: { kubernaut.ai/environment: staging, kubernaut.ai/managed: "true" } }
---
apiVersion: v1
kind: Namespace
metadata: { name: ops, labels: { kubernaut.ai/environment: staging, kubernaut.ai/managed: "true" } }
---
apiVersion: v1
kind: Node
metadata: { name: work, labels: { kubernetes.io/hostname: work } }
spec: { taints: [{ key: ${DEDICATED_TAINT}, value: remed, effect: NoSchedule }] }
---
apiVersion: v1
kind: Node
metadata: { name: failing, labels: { kubernetes.io/hostname: failing } }
spec: { taints: [{ key: ${DEDICATED_TAINT}, value: remed, effect: NoSchedule }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: cache, namespace: apps, labels: { app: cache } }
spec:
  replicas: 2
  selector: { matchLabels: { app: cache } }
  template:
    metadata: { labels: { app: cache } }
    spec:${pinned("work")}
      containers: [{ name: app, image: "shop/cache:3.1", resources: { limits: { memory: 256Mi } } }]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent, namespace: apps, labels: { app: agent } }
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec:${pinned("work")}
      containers: [{ name: agent, image: "shop/agent:1.0", resources: { limits: { memory: 128Mi } } }]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: api, namespace: ops }
spec: { minAvailable: 2, selector: { matchLabels: { app: api } } }
${[1, 2, 3]
  .map(
    (i) => `---
apiVersion: v1
kind: Pod
metadata: { name: api-${i}, namespace: ops, labels: { app: api } }
spec:${pinned("failing").replace(/\n {6}/g, "\n  ")}
  containers: [{ name: app, image: "shop/api:1.0" }]`,
  )
  .join("\n")}
---
kind: Behaviour
behaviour:
  memoryDemand: { apps/cache/app: 400Mi, apps/agent/agent: 200Mi }
  readyAfterMs: 200
`;

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

beforeAll(async () => {
  await cluster.applyScenario(SCENARIO);
  product = await cluster.productKubeConfig();
});

async function harness(): Promise<PipelineHarness> {
  const h = await createPipelineHarness(
    { remediationOrchestrator: { dryRun: false }, aianalysis: { rego: { policy: sourcePath("starter") } } },
    { kubeConfig: product },
  );
  closers.push(() => h.pipeline.close());
  return h;
}

const alert = (labels: Record<string, string>) => webhook([{ labels: { severity: "critical", ...labels } }]);

async function remediate(h: PipelineHarness, labels: Record<string, string>): Promise<string> {
  const [created] = await h.postAlerts(alert(labels));
  expect(created?.status).toBe("created");
  return created?.remediationId as string;
}

const settled = (h: PipelineHarness, id: string, phases: RemediationRequest["phase"][]) =>
  h.waitFor(id, (r) => phases.includes(r.phase) || isTerminal(r.phase), 60_000);

async function approve(h: PipelineHarness, id: string) {
  const waiting = await settled(h, id, ["AwaitingApproval"]);
  expect(waiting.phase).toBe("AwaitingApproval");
  const decision = await apiRequest(h, "POST", `/api/v1/approvals/${approvalIdFor(id)}/decision`, {
    decision: "Approved",
  });
  expect(decision.status).toBe(200);
  return waiting;
}

const pods = async (namespace: string, selector: string) =>
  (await cluster.core.listNamespacedPod({ namespace, labelSelector: selector })).items;
const oomKilled = (pod: V1Pod) =>
  pod.status?.containerStatuses?.some((s) => s.lastState?.terminated?.reason === "OOMKilled") ?? false;
const ready = (pod: V1Pod) =>
  pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

describe("OOMKilled → IncreaseMemoryLimits on the real control plane", () => {
  it("a Deployment gets the doubled limit as an absolute value; its new pods stop being OOMKilled", async () => {
    const h = await harness();
    const namespace = ns("apps");
    await eventually("both cache pods OOMKilled", async () => {
      const all = await pods(namespace, "app=cache");
      return all.length === 2 && all.every(oomKilled) ? all : undefined;
    });

    const id = await remediate(h, { alertname: "KubeContainerOOMKilled", namespace, deployment: "cache" });
    const rr = await settled(h, id, ["Verifying"]);

    expect(rr).toMatchObject({
      phase: "Verifying",
      analysis: {
        workflowId: "increase-memory-limits-v1",
        confidence: 0.85,
        parameters: { container: "app", memoryLimit: 536_870_912 },
      },
      workflowExecution: { summary: "set the memory limit of app to 512Mi" },
    });
    const cache = await cluster.apps.readNamespacedDeployment({ name: "cache", namespace });
    // kube-apiserver keeps the quantity as sent: the executor writes the quantity a person reads.
    expect(cache.spec?.template.spec?.containers[0]?.resources?.limits?.memory).toBe("512Mi");
    const healed = await eventually("two ready cache pods of the new template", async () => {
      const all = await pods(namespace, "app=cache");
      return all.length === 2 && all.every((p) => ready(p) && !oomKilled(p)) ? all : undefined;
    });
    expect(healed.map((p) => p.spec?.containers[0]?.resources?.limits?.memory)).toEqual(["512Mi", "512Mi"]);
  });

  it("a DaemonSet gets its larger limit, rolls it out, and is verified by the DaemonSet controller's own status", async () => {
    const h = await harness();
    const namespace = ns("apps");
    await eventually("the agent pod OOMKilled", async () =>
      (await pods(namespace, "app=agent")).find(oomKilled),
    );

    const id = await remediate(h, { alertname: "KubeContainerOOMKilled", namespace, daemonset: "agent" });
    const rr = await settled(h, id, ["Verifying"]);

    expect(rr).toMatchObject({
      phase: "Verifying",
      analysis: { workflowId: "increase-memory-limits-v1", parameters: { memoryLimit: 268_435_456 } },
      workflowExecution: {
        actionType: "IncreaseMemoryLimits",
        // One node of this file runs the agent (its nodeSelector): desiredNumberScheduled is 1.
        rollout: expect.stringMatching(/^1\/1 scheduled pods updated, 1 available/),
      },
    });
    const agent = await cluster.apps.readNamespacedDaemonSet({ name: "agent", namespace });
    expect(agent.spec?.template.spec?.containers[0]?.resources?.limits?.memory).toBe("256Mi");
    expect(agent.status).toMatchObject({ desiredNumberScheduled: 1, updatedNumberScheduled: 1 });
  });
});

describe("a NotReady node", () => {
  it("is cordoned after approval, and its drain stops where the PodDisruptionBudget forbids an eviction (429)", async () => {
    const h = await harness();
    const namespace = ns("ops");
    const node = ns("failing");
    await eventually("the PDB to count three healthy pods", async () => {
      const pdb = await cluster.policy.readNamespacedPodDisruptionBudget({ name: "api", namespace });
      return pdb.status?.currentHealthy === 3 ? pdb : undefined;
    });
    // The node's runtime fails: the fake kubelet keeps reporting NotReady from now on, and its pods
    // lose readiness, so the budget has no disruption left to give.
    await cluster.core.patchNodeStatus(
      {
        name: node,
        body: {
          status: {
            conditions: [
              { type: "Ready", status: "False", reason: "KubeletNotReady", message: "runtime down" },
            ],
          },
        },
      },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    await eventually("the PDB to allow no disruption", async () => {
      const pdb = await cluster.policy.readNamespacedPodDisruptionBudget({ name: "api", namespace });
      return pdb.status?.disruptionsAllowed === 0 && pdb.status.currentHealthy === 0 ? pdb : undefined;
    });

    const id = await remediate(h, { alertname: "KubeNodeNotReady", node });
    const waiting = await approve(h, id);
    expect(waiting.analysis).toMatchObject({
      workflowId: "cordon-drain-node-v1",
      parameters: { drain: true },
    });
    expect(waiting.policyDecision?.reason).toContain("sensitive target kind Node");
    const rr = await settled(h, id, []);

    expect(rr).toMatchObject({ phase: "Failed", failurePhase: "Executing" });
    expect(rr.reason).toMatch(
      new RegExp(
        `^DisruptionBudgetViolated: drain of ${node} stopped: evicting ${namespace}/api-\\d would violate its PodDisruptionBudget \\(Cannot evict pod as it would violate the pod's disruption budget\\.\\); cordoned, 0 pod\\(s\\) evicted`,
      ),
    );
    const after = await cluster.core.readNode({ name: node });
    expect(after.spec?.unschedulable).toBe(true);
    // Not marked done: a retry once the budget allows finishes the drain.
    expect(after.metadata?.annotations?.["kubernaut.ai/remediation-id"]).toBeUndefined();
    expect((await pods(namespace, "app=api")).map((p) => p.metadata?.name).sort()).toEqual([
      "api-1",
      "api-2",
      "api-3",
    ]);
  });
});

describe("a Pod target", () => {
  it("a stuck pod of a controller the product does not follow stays the target; RestartPod deletes exactly it after approval, and its controller replaces it", async () => {
    // Its own namespace: the Behaviour (pods never turn Ready) applies to every namespace of a scenario.
    await cluster.applyScenario(`
apiVersion: v1
kind: Namespace
metadata: { name: legacy, labels: { kubernaut.ai/environment: staging, kubernaut.ai/managed: "true" } }
---
apiVersion: v1
kind: ReplicationController
metadata: { name: legacy, namespace: legacy }
spec:
  replicas: 1
  selector: { app: legacy }
  template:
    metadata: { labels: { app: legacy } }
    spec:${pinned("work")}
      containers: [{ name: app, image: "shop/legacy:0.9" }]
---
kind: Behaviour
behaviour: { readyAfterMs: 3600000 }
`);
    const h = await harness();
    const namespace = ns("legacy");
    const stuck = await eventually("the legacy pod Running but not Ready", async () =>
      (await pods(namespace, "app=legacy")).find((p) => p.status?.phase === "Running" && !ready(p)),
    );
    const name = stuck.metadata?.name as string;

    const id = await remediate(h, { alertname: "KubePodNotReady", namespace, pod: name });
    const waiting = await approve(h, id);
    expect(waiting.targetResource).toEqual({ kind: "Pod", name, namespace });
    expect(waiting.analysis).toMatchObject({
      workflowId: "restart-pod-v1",
      parameters: { mode: "deletePod" },
    });
    // The alignment gate checked the choice against the pod's own evidence.
    // The pods are bulky evidence: they live in the remediation's own evidence item (issue 22).
    expect(await h.store.evidence(id)).toMatchObject({ pods: [{ name, ready: false, phase: "Running" }] });
    expect(waiting.analysis?.evidence).toMatchObject({
      target: { kind: "Pod", name },
    });
    const rr = await settled(h, id, ["Verifying"]);

    expect(rr).toMatchObject({
      phase: "Verifying",
      workflowExecution: {
        actionType: "RestartPod",
        summary: `deleted pod ${name} (Running, 0 restarts)`,
        steps: { victim: expect.stringContaining(stuck.metadata?.uid as string) },
        rollout: "deleted; its controller replaces it",
      },
    });
    const replacement = await eventually("the ReplicationController's replacement pod", async () => {
      const now = await pods(namespace, "app=legacy");
      return now.length === 1 && now[0]?.metadata?.name !== name ? now[0] : undefined;
    });
    expect(replacement.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: "ReplicationController",
      name: "legacy",
    });
  });
});
