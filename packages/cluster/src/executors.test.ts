import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClusterAccess, type K8s } from "./access";
import { ExecutionError } from "./errors";
import { executeWorkflow, REMEDIATION_ANNOTATION, rolloutConverged } from "./executors";
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
  const run = (
    actionType: string,
    parameters: Record<string, string | number | boolean> = {},
    target = deployment,
    id = "rr-test-1",
  ) => executeWorkflow(access, { remediationId: id, actionType, changesSpec: true, target, parameters });
  const podsReady = async (label: string) =>
    ((await access.core.listNamespacedPod({ namespace: "shop", labelSelector: label })).items as K8s[]).map(
      (p) => p.status?.conditions?.some((c: K8s) => c.type === "Ready" && c.status === "True") ?? false,
    );

  beforeEach(async () => {
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
