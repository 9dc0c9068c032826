import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClusterAccess, type K8s } from "./access";
import { ExecutionError } from "./errors";
import {
  type ExecutionJournal,
  executeWorkflow,
  REMEDIATION_ANNOTATION,
  rolloutConverged,
} from "./executors";
import { kubeConfigFor } from "./kubeconfig";
import { ClusterSimulator } from "./simulator/server";

const BASE = `
apiVersion: v1
kind: Node
metadata: { name: worker-1 }
status: { conditions: [{ type: Ready, status: "True" }] }
---
apiVersion: v1
kind: Node
metadata: { name: worker-2 }
status: { conditions: [{ type: Ready, status: "True" }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: checkout, namespace: shop }
spec:
  replicas: 2
  selector: { matchLabels: { app: checkout } }
  template:
    metadata: { labels: { app: checkout } }
    spec:
      containers: [{ name: app, image: "shop/checkout:v1", resources: { limits: { memory: 256Mi } } }]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: checkout, namespace: shop }
spec: { scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: checkout }, minReplicas: 2, maxReplicas: 4 }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: shop }
spec:
  replicas: 1
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec: { containers: [{ name: db, image: "postgres:16" }] }
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent, namespace: shop }
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec: { containers: [{ name: agent, image: "agent:v1", resources: { limits: { memory: 64Mi } } }] }
---
kind: Behaviour
behaviour:
  images: { "shop/checkout:v2": { crash: true }, "postgres:17": { crash: true } }
`;

describe("executors against the simulator over HTTP", () => {
  let sim: ClusterSimulator;
  let access: ClusterAccess;
  let close: () => Promise<void>;
  const deployment: { kind: string; name: string; namespace?: string } = {
    kind: "Deployment",
    name: "checkout",
    namespace: "shop",
  };
  /** What the pipeline keeps on the WorkflowExecution between attempts, per remediation id. */
  let journals: Map<string, ExecutionJournal>;
  const journalOf = (id: string): ExecutionJournal => {
    let journal = journals.get(id);
    if (!journal) {
      const steps: Record<string, string> = {};
      journal = {
        steps,
        record: async (step, detail) => {
          steps[step] = detail;
        },
      };
      journals.set(id, journal);
    }
    return journal;
  };
  const run = (
    actionType: string,
    parameters: Record<string, string | number | boolean> = {},
    target = deployment,
    id = "rr-test-1",
  ) =>
    executeWorkflow(
      access,
      { remediationId: id, actionType, changesSpec: true, target, parameters },
      { journal: journalOf(id) },
    );
  const podNames = async (label: string) =>
    ((await access.core.listNamespacedPod({ namespace: "shop", labelSelector: label })).items as K8s[])
      .map((p) => p.metadata.name as string)
      .sort();
  const podsOnNode = async (node: string) =>
    (
      (await access.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items as K8s[]
    ).map((p) => ({
      name: p.metadata.name as string,
      owner: p.metadata.ownerReferences?.[0]?.kind as string,
    }));
  const podsReady = async (label: string) =>
    ((await access.core.listNamespacedPod({ namespace: "shop", labelSelector: label })).items as K8s[]).map(
      (p) => p.status?.conditions?.some((c: K8s) => c.type === "Ready" && c.status === "True") ?? false,
    );

  beforeEach(async () => {
    journals = new Map();
    sim = new ClusterSimulator();
    sim.loadScenario(BASE);
    const server = await sim.listen();
    close = server.close;
    access = new ClusterAccess(kubeConfigFor({ server: server.url }));
  });
  afterEach(async () => close());

  async function badRollout() {
    await access.patch(deployment, {
      strategy: "strategic",
      body: { spec: { template: { spec: { containers: [{ name: "app", image: "shop/checkout:v2" }] } } } },
    });
    expect(await podsReady("app=checkout")).toEqual([false, false]);
  }

  it("RollbackDeployment heals a bad rollout, stamps the annotation in the same write, and records the hash change", async () => {
    await badRollout();
    const result = await run("RollbackDeployment");
    expect(result).toMatchObject({
      alreadyApplied: false,
      summary: "rolled back to revision 1 (shop/checkout:v1)",
    });
    expect(result.postHash).not.toBe(result.preHash);
    expect(await podsReady("app=checkout")).toEqual([true, true]);
    expect((await access.read(deployment)).metadata.annotations[REMEDIATION_ANNOTATION]).toBe("rr-test-1");
    expect(await rolloutConverged(access, deployment)).toMatchObject({ converged: true });
  });

  it("a task retried after a crash does not apply twice", async () => {
    await badRollout();
    await run("RollbackDeployment");
    const patches = () => sim.requests.filter((r) => r.verb === "patch").length;
    const before = patches();
    expect(await run("RollbackDeployment")).toMatchObject({ alreadyApplied: true });
    expect(patches()).toBe(before);
  });

  it("IncreaseMemoryLimits applies the absolute limit it was given, and OOMKilled pods heal", async () => {
    sim.setBehaviour({ memoryDemand: { "shop/checkout/app": "300Mi" } });
    expect(await podsReady("app=checkout")).toEqual([false, false]);
    const result = await run("IncreaseMemoryLimits", { container: "app", memoryLimit: 402_653_184 });
    const container = (await access.read(deployment)).spec.template.spec.containers[0];
    // Stored in bytes, sent as the quantity an operator would write (issue 21).
    expect(container.resources.limits.memory).toBe("384Mi");
    expect(result.summary).toBe("set the memory limit of app to 384Mi");
    expect(await podsReady("app=checkout")).toEqual([true, true]);
  });

  it("RestartPod deletes the least healthy pod and its controller replaces it", async () => {
    const before = (
      (await access.core.listNamespacedPod({ namespace: "shop", labelSelector: "app=checkout" }))
        .items as K8s[]
    ).map((p) => p.metadata.name);
    const result = await run("RestartPod", { mode: "deletePod" });
    const after = (
      (await access.core.listNamespacedPod({ namespace: "shop", labelSelector: "app=checkout" }))
        .items as K8s[]
    ).map((p) => p.metadata.name);
    expect(after).toHaveLength(2);
    expect(before.filter((n) => !after.includes(n))).toHaveLength(1);
    expect(result.summary).toMatch(/^deleted pod checkout-/);
  });

  it("ScaleReplicas and PatchHPA set absolute values", async () => {
    await run("ScaleReplicas", { replicas: 3 });
    expect(await podsReady("app=checkout")).toHaveLength(3);
    await run("PatchHPA", { maxReplicas: 8 }, deployment, "rr-test-2");
    expect(
      (await access.read({ kind: "HorizontalPodAutoscaler", name: "checkout", namespace: "shop" })).spec
        .maxReplicas,
    ).toBe(8);
  });

  it("RollbackStatefulSet restores the previous controllerrevision", async () => {
    const db = { kind: "StatefulSet", name: "db", namespace: "shop" };
    await access.patch(db, {
      strategy: "strategic",
      body: { spec: { template: { spec: { containers: [{ name: "db", image: "postgres:17" }] } } } },
    });
    expect(await podsReady("app=db")).toEqual([false]);
    await run("RollbackStatefulSet", {}, db);
    expect(await podsReady("app=db")).toEqual([true]);
  });

  it("CordonDrainNode evicts pods, and stops when a PodDisruptionBudget would be violated", async () => {
    sim.apply({
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "checkout", namespace: "shop" },
      spec: { minAvailable: 2, selector: { matchLabels: { app: "checkout" } } },
    });
    const node = { kind: "Node", name: "worker-1" };
    const error = await run("CordonDrainNode", { drain: true }, node).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExecutionError);
    expect((error as Error).name).toBe("DisruptionBudgetViolated");
    expect((error as Error).message).toMatch(/would violate its PodDisruptionBudget/);
    expect((await access.read(node)).spec.unschedulable).toBe(true);

    const free = await run(
      "CordonDrainNode",
      { drain: true },
      { kind: "Node", name: "worker-2" },
      "rr-test-3",
    );
    expect(free.summary).toMatch(/^cordoned worker-2 and evicted \d+ pod\(s\)$/);
  });

  it("409 conflicts are retried on fresh state and succeed", async () => {
    sim.fail({ status: 409, times: 2, verb: "patch" });
    await run("ScaleReplicas", { replicas: 3 });
    expect((await access.read(deployment)).spec.replicas).toBe(3);
  });

  it("a 403 fails cleanly, naming the missing permission", async () => {
    sim.deny("patch", "deployments", "shop");
    const error = await run("ScaleReplicas", { replicas: 3 }).catch((e: unknown) => e);
    expect((error as Error).name).toBe("ExecutionForbidden");
    expect((error as Error).message).toContain(
      'cannot patch resource "deployments" in API group "apps" in the namespace "shop"',
    );
  });

  it("a missing target fails naming the object", async () => {
    const error = await run(
      "ScaleReplicas",
      { replicas: 1 },
      { kind: "Deployment", name: "gone", namespace: "shop" },
    ).catch((e: unknown) => e);
    expect((error as Error).name).toBe("TargetNotFound");
    expect((error as Error).message).toContain('"gone" not found');
  });

  it("a spec-changing workflow on a GitOps-managed target is refused, whatever the approval", async () => {
    const error = await executeWorkflow(
      access,
      {
        remediationId: "rr-x",
        actionType: "RollbackDeployment",
        changesSpec: true,
        target: deployment,
        parameters: {},
      },
      { gitOpsManaged: true },
    ).catch((e: unknown) => e);
    expect((error as Error).name).toBe("GitOpsManaged");
  });

  describe("completion is recorded only when the whole workflow is done", () => {
    it("RestartPod: a DELETE that fails is retried, not reported done with every pod still there", async () => {
      const before = await podNames("app=checkout");
      sim.fail({ status: 500, times: 1, verb: "delete", resource: "pods" });

      const result = await run("RestartPod", { mode: "deletePod" });

      const after = await podNames("app=checkout");
      expect(after).toHaveLength(2);
      expect(before.filter((n) => !after.includes(n))).toHaveLength(1);
      expect(result).toMatchObject({
        alreadyApplied: false,
        summary: expect.stringMatching(/^deleted pod checkout-/),
      });
      expect((await access.read(deployment)).metadata.annotations[REMEDIATION_ANNOTATION]).toBe("rr-test-1");
    });

    it("RestartPod: a retry after a DELETE that failed for good deletes the pod then", async () => {
      const before = await podNames("app=checkout");
      sim.fail({ status: 400, times: 1, verb: "delete", resource: "pods" });
      expect(await run("RestartPod", { mode: "deletePod" }).catch((e: unknown) => e)).toMatchObject({
        name: "RequestRejected",
        message: expect.stringContaining(
          "RestartPod on Deployment shop/checkout: the API server refused it with 400",
        ),
      });
      expect(await podNames("app=checkout")).toEqual(before);

      const retried = await run("RestartPod", { mode: "deletePod" });

      expect(retried.alreadyApplied).toBe(false);
      const after = await podNames("app=checkout");
      expect(before.filter((n) => !after.includes(n))).toHaveLength(1);
    });

    it("RestartPod: a retry after the delete, before completion was recorded, deletes no second pod", async () => {
      const before = await podNames("app=checkout");
      // The pod goes; recording completion on the Deployment then fails for good.
      sim.fail({ status: 400, times: 1, verb: "patch", resource: "deployments" });
      expect(await run("RestartPod", { mode: "deletePod" }).catch((e: unknown) => e)).toMatchObject({
        name: "RequestRejected",
        message: expect.stringContaining(
          "RestartPod on Deployment shop/checkout: the API server refused it with 400",
        ),
      });
      const afterFirst = await podNames("app=checkout");
      expect(before.filter((n) => !afterFirst.includes(n))).toHaveLength(1);

      const retried = await run("RestartPod", { mode: "deletePod" });

      expect(await podNames("app=checkout")).toEqual(afterFirst);
      expect(retried.summary).toMatch(/^pod checkout-\S+ was deleted by an earlier attempt$/);
      expect((await access.read(deployment)).metadata.annotations[REMEDIATION_ANNOTATION]).toBe("rr-test-1");
    });

    it("CordonDrainNode: an eviction that fails is retried, and every evictable pod leaves the node", async () => {
      const node = { kind: "Node", name: "worker-1" };
      expect((await podsOnNode("worker-1")).filter((p) => p.owner !== "DaemonSet").length).toBeGreaterThan(0);
      sim.fail({ status: 500, times: 1, verb: "create", resource: "pods/eviction" });

      await run("CordonDrainNode", { drain: true }, node);

      expect((await podsOnNode("worker-1")).filter((p) => p.owner !== "DaemonSet")).toEqual([]);
      expect((await podsOnNode("worker-1")).map((p) => p.owner)).toContain("DaemonSet");
      expect(
        await rolloutConverged(access, node, { actionType: "CordonDrainNode", parameters: { drain: true } }),
      ).toMatchObject({ converged: true });
    });

    it("CordonDrainNode: a drain a PodDisruptionBudget stopped is neither done nor converged; a retry finishes it", async () => {
      const pdb = {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name: "checkout", namespace: "shop" },
        spec: { minAvailable: 2, selector: { matchLabels: { app: "checkout" } } },
      };
      sim.apply(pdb);
      const node = { kind: "Node", name: "worker-1" };
      const drain = { actionType: "CordonDrainNode", parameters: { drain: true } };
      expect(
        (await run("CordonDrainNode", { drain: true }, node).catch((e: unknown) => e)) as Error,
      ).toMatchObject({
        name: "DisruptionBudgetViolated",
      });
      expect((await access.read(node)).spec.unschedulable).toBe(true);
      expect((await access.read(node)).metadata.annotations?.[REMEDIATION_ANNOTATION]).toBeUndefined();
      expect(await rolloutConverged(access, node, drain)).toMatchObject({
        converged: false,
        detail: expect.stringMatching(/^cordoned; \d+ evictable pod\(s\) left: /),
      });

      // The budget allows it now (another replica elsewhere): the retry drains what is left.
      sim.store.delete("PodDisruptionBudget", "shop", "checkout");
      const retried = await run("CordonDrainNode", { drain: true }, node);

      expect(retried.alreadyApplied).toBe(false);
      expect((await podsOnNode("worker-1")).filter((p) => p.owner !== "DaemonSet")).toEqual([]);
      expect(await rolloutConverged(access, node, drain)).toMatchObject({ converged: true });
    });

    it("CordonDrainNode leaves mirror pods and DaemonSet pods, as kubectl drain does", async () => {
      sim.apply({
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          name: "kube-proxy-worker-2",
          namespace: "kube-system",
          annotations: { "kubernetes.io/config.mirror": "abc" },
        },
        spec: { nodeName: "worker-2", containers: [{ name: "proxy", image: "kube-proxy:v1" }] },
      });
      const node = { kind: "Node", name: "worker-2" };

      await run("CordonDrainNode", { drain: true }, node);

      expect((await podsOnNode("worker-2")).map((p) => p.name).sort()).toEqual(
        [expect.stringMatching(/^agent-/), "kube-proxy-worker-2"].sort(),
      );
      expect(
        await rolloutConverged(access, node, { actionType: "CordonDrainNode", parameters: { drain: true } }),
      ).toMatchObject({ converged: true });
    });
  });

  it("a concurrent writer between the read and the rollback's JSON patch (422 from kube-apiserver) is re-read and redone", async () => {
    await badRollout();
    // An operator annotates the Deployment right before the rollback's patch arrives.
    sim.interleave({
      verb: "patch",
      resource: "deployments",
      run: (store) => {
        const current = store.get("Deployment", "shop", "checkout") as K8s;
        current.metadata.annotations = { ...current.metadata.annotations, "team.example/owner": "payments" };
        delete current.metadata.resourceVersion;
        store.update(current);
      },
    });

    const result = await run("RollbackDeployment");

    expect(result).toMatchObject({
      alreadyApplied: false,
      summary: "rolled back to revision 1 (shop/checkout:v1)",
    });
    const after = await access.read(deployment);
    expect(after.metadata.annotations).toMatchObject({
      [REMEDIATION_ANNOTATION]: "rr-test-1",
      "team.example/owner": "payments",
    });
    expect(await podsReady("app=checkout")).toEqual([true, true]);
  });

  it("a JSON patch refused as invalid for another reason is not retried: it fails naming the object", async () => {
    await badRollout();
    sim.fail({ status: 422, times: 1, verb: "patch", resource: "deployments" });
    const patches = () => sim.requests.filter((r) => r.verb === "patch").length;
    const before = patches();

    const error = await run("RollbackDeployment").catch((e: unknown) => e);

    expect(patches()).toBe(before + 1);
    expect((error as Error).message).toContain("RollbackDeployment on Deployment shop/checkout");
  });

  describe("DaemonSets", () => {
    const agent = { kind: "DaemonSet", name: "agent", namespace: "shop" };

    it("IncreaseMemoryLimits on a DaemonSet rolls out and converges by the DaemonSet's own status fields", async () => {
      await run("IncreaseMemoryLimits", { container: "agent", memoryLimit: 134_217_728 }, agent);

      // Sent as a Kubernetes quantity, as a person would write it (issue 21).
      expect((await access.read(agent)).spec.template.spec.containers[0].resources.limits.memory).toBe(
        "128Mi",
      );
      expect(await rolloutConverged(access, agent)).toMatchObject({
        converged: true,
        detail: "2/2 scheduled pods updated, 2 available, generation 2/2",
      });
    });

    it("RestartPod deletes one of a DaemonSet's pods", async () => {
      const before = await podNames("app=agent");
      const result = await run("RestartPod", { mode: "deletePod" }, agent);
      const after = await podNames("app=agent");
      expect(after).toHaveLength(2);
      expect(before.filter((n) => !after.includes(n))).toHaveLength(1);
      expect(result.summary).toMatch(/^deleted pod agent-/);
    });
  });

  describe("RestartPod on a Pod target", () => {
    const podTarget = async () => ({
      kind: "Pod",
      name: (await podNames("app=checkout"))[0] as string,
      namespace: "shop",
    });

    it("deletes that pod, and its controller replaces it", async () => {
      const target = await podTarget();
      const result = await run("RestartPod", { mode: "deletePod" }, target);
      expect(result).toMatchObject({
        alreadyApplied: false,
        summary: expect.stringContaining(`deleted pod ${target.name}`),
      });
      const after = await podNames("app=checkout");
      expect(after).toHaveLength(2);
      expect(after).not.toContain(target.name);
      expect(await rolloutConverged(access, target)).toMatchObject({ converged: true });
    });

    it("a retry after the pod is gone reports it done and deletes nothing else", async () => {
      const target = await podTarget();
      await run("RestartPod", { mode: "deletePod" }, target);
      const after = await podNames("app=checkout");

      const retried = await run("RestartPod", { mode: "deletePod" }, target);

      expect(retried).toMatchObject({
        alreadyApplied: true,
        summary: `pod ${target.name} was deleted by an earlier attempt`,
      });
      expect(await podNames("app=checkout")).toEqual(after);
    });

    it("a pod no controller owns is not deleted: nothing would bring it back", async () => {
      sim.apply({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "debug", namespace: "shop" },
        spec: { nodeName: "worker-1", containers: [{ name: "sh", image: "busybox" }] },
      });
      const error = await run(
        "RestartPod",
        { mode: "deletePod" },
        { kind: "Pod", name: "debug", namespace: "shop" },
      ).catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: "PreconditionFailed",
        message: expect.stringContaining("Pod shop/debug has no controller"),
      });
      expect(await access.read({ kind: "Pod", name: "debug", namespace: "shop" })).toBeDefined();
    });
  });
});

describe("simulated behaviour over time", () => {
  it("a NotReady node keeps its pods Pending; an HPA at max stays saturated until its max is raised", async () => {
    const sim = new ClusterSimulator();
    sim.loadScenario(
      BASE.replace(
        'name: worker-2 }\nstatus: { conditions: [{ type: Ready, status: "True" }] }',
        'name: worker-2 }\nstatus: { conditions: [{ type: Ready, status: "False" }] }',
      ),
    );
    const server = await sim.listen();
    const access = new ClusterAccess(kubeConfigFor({ server: server.url }));
    try {
      await access.patch(
        { kind: "Node", name: "worker-1" },
        { strategy: "merge", body: { status: { conditions: [{ type: "Ready", status: "False" }] } } },
      );
      await access.core.deleteNamespacedPod({
        name: (await access.core.listNamespacedPod({ namespace: "shop", labelSelector: "app=checkout" }))
          .items[0]?.metadata?.name as string,
        namespace: "shop",
      });
      const phases = (
        (await access.core.listNamespacedPod({ namespace: "shop", labelSelector: "app=checkout" }))
          .items as K8s[]
      ).map((p) => p.status?.phase);
      expect(phases).toEqual(["Pending", "Pending"]);

      sim.setBehaviour({ load: { "shop/checkout": 10 } });
      const hpa = { kind: "HorizontalPodAutoscaler", name: "checkout", namespace: "shop" };
      expect((await access.read(hpa)).status.conditions[0]).toMatchObject({
        type: "ScalingLimited",
        status: "True",
      });
      expect(
        (await access.read({ kind: "Deployment", name: "checkout", namespace: "shop" })).spec.replicas,
      ).toBe(4);
      await executeWorkflow(access, {
        remediationId: "rr-hpa",
        actionType: "PatchHPA",
        changesSpec: false,
        target: { kind: "Deployment", name: "checkout", namespace: "shop" },
        parameters: { maxReplicas: 12 },
      });
      expect((await access.read(hpa)).status.conditions[0]).toMatchObject({ status: "False" });
      expect(
        (await access.read({ kind: "Deployment", name: "checkout", namespace: "shop" })).spec.replicas,
      ).toBe(10);
    } finally {
      await server.close();
    }
  });
});
