import { ScenarioRejectedError } from "@kubernaut/testcluster";
import { ApiException, PatchStrategy, setHeaderOptions, type V1Pod } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_SCENARIO } from "../support/cluster";
import { eventually, kubeCluster } from "../support/kube";

/**
 * The demo scenario and the behaviour model on a real kube-apiserver: what the real controllers,
 * scheduler and API make of it, with pod status from the fake kubelet. Every assertion here is
 * something the simulator used to decide by itself.
 */
const cluster = kubeCluster("wl");
const ns = (name: string) => `${name}${cluster.suffix}`;

const ready = (pod: V1Pod) => pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
const podsOf = async (namespace: string, app: string) =>
  (await cluster.core.listNamespacedPod({ namespace, labelSelector: `app=${app}` })).items;

/** The code and Status message of a failed client-node call. */
function failure(error: unknown): { code: number; message: string; reason: string; causes: string[] } {
  if (!(error instanceof ApiException)) throw error;
  const body = (typeof error.body === "string" ? JSON.parse(error.body) : {}) as {
    message?: string;
    reason?: string;
    details?: { causes?: Array<{ message?: string }> };
  };
  return {
    code: error.code,
    message: body.message ?? "",
    reason: body.reason ?? "",
    causes: (body.details?.causes ?? []).map((c) => c.message ?? ""),
  };
}

async function rejection(call: Promise<unknown>): Promise<ReturnType<typeof failure>> {
  try {
    await call;
  } catch (error) {
    return failure(error);
  }
  throw new Error("the call succeeded; a rejection was expected");
}

describe("the demo scenario on a real control plane", () => {
  beforeAll(async () => {
    await cluster.applyScenario(DEMO_SCENARIO);
  });

  it("runs a Deployment's pods: bound by kube-scheduler to the scenario's nodes, Running and Ready through the fake kubelet", async () => {
    const pods = await eventually("production checkout 3/3 ready", async () => {
      const deployment = await cluster.apps.readNamespacedDeployment({
        name: "checkout",
        namespace: ns("production"),
      });
      return deployment.status?.readyReplicas === 3 ? podsOf(ns("production"), "checkout") : undefined;
    });
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.status?.phase).toBe("Running");
      expect(ready(pod)).toBe(true);
      // Bound by kube-scheduler (to any Ready node: every test file's nodes are in the one cluster).
      expect(pod.spec?.nodeName).toBeTruthy();
      expect(pod.status?.podIP).toMatch(/^10\.244\./);
      expect(pod.status?.containerStatuses?.[0]?.state?.running).toBeDefined();
    }
    // The StatefulSet controller made ledger-0 and the scheduler placed it.
    const ledger = await eventually("ledger-0 ready", async () => {
      const pod = await cluster.core.readNamespacedPod({ name: "ledger-0", namespace: ns("production") });
      return ready(pod) ? pod : undefined;
    });
    expect(ledger.metadata?.ownerReferences?.[0]?.kind).toBe("StatefulSet");
  });

  it("crash-loops the bad rollout's pods with the image's logs readable through pods/log (current and previous)", async () => {
    const namespace = ns("staging");
    const crashing = await eventually("a recommendations pod in CrashLoopBackOff", async () =>
      (await podsOf(namespace, "recommendations")).find(
        (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "CrashLoopBackOff",
      ),
    );
    const status = crashing.status?.containerStatuses?.[0];
    expect(crashing.spec?.containers[0]?.image).toBe("shop/recommendations:2.4.0-bad");
    expect(status?.restartCount).toBeGreaterThan(0);
    expect(status?.lastState?.terminated?.reason).toBe("Error");
    expect(ready(crashing)).toBe(false);

    const name = crashing.metadata?.name as string;
    const previous = await cluster.core.readNamespacedPodLog({
      name,
      namespace,
      container: "app",
      previous: true,
    });
    expect(previous).toContain("Error: Cannot find module '/app/dist/server.js'");
    const current = await cluster.core.readNamespacedPodLog({
      name,
      namespace,
      container: "app",
      tailLines: 1,
    });
    expect(current).toContain("Cannot find module");

    // A container that never died has no previous log: the kubelet's 400, passed on by kube-apiserver.
    const healthy =
      (await podsOf(namespace, "checkout")).find(ready) ?? (await podsOf(namespace, "checkout"))[0];
    const noPrevious = await rejection(
      cluster.core.readNamespacedPodLog({
        name: healthy?.metadata?.name as string,
        namespace,
        container: "app",
        previous: true,
      }),
    );
    expect(noPrevious.code).toBe(400);
    expect(noPrevious.message).toContain(
      `previous terminated container "app" in pod "${healthy?.metadata?.name}" not found`,
    );
  });

  it("keeps the old ReplicaSet serving while the bad revision fails: the real rolling update never takes the last ready pods away", async () => {
    // The simulator replaces every pod at once; a real Deployment (maxUnavailable 25% of 2 = 0) does not.
    const deployment = await eventually("the recommendations rollout to stall", async () => {
      const d = await cluster.apps.readNamespacedDeployment({
        name: "recommendations",
        namespace: ns("staging"),
      });
      return d.status?.updatedReplicas === 1 && d.status.readyReplicas === 2 ? d : undefined;
    });
    expect(deployment.metadata?.annotations?.["deployment.kubernetes.io/revision"]).toBe("2");
    const pods = await podsOf(ns("staging"), "recommendations");
    expect(pods.filter(ready).map((p) => p.spec?.containers[0]?.image)).toEqual([
      "shop/recommendations:2.3.0",
      "shop/recommendations:2.3.0",
    ]);
  });
});

describe("behaviour and scheduling on a real control plane", () => {
  it("OOMKills a container whose memory demand exceeds its limit, with the kubelet's event and an out-of-memory log", async () => {
    await cluster.applyScenario(`
apiVersion: v1
kind: Namespace
metadata: { name: memory }
---
apiVersion: v1
kind: Node
metadata: { name: memory, labels: { kubernetes.io/hostname: memory } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: cache, namespace: memory }
spec:
  replicas: 1
  selector: { matchLabels: { app: cache } }
  template:
    metadata: { labels: { app: cache } }
    spec:
      nodeSelector: { kubernetes.io/hostname: memory }
      containers: [{ name: app, image: "shop/cache:3.1", resources: { limits: { memory: 128Mi } } }]
---
kind: Behaviour
behaviour: { memoryDemand: { memory/cache/app: 512Mi } }
`);
    const namespace = ns("memory");
    const pod = await eventually("an OOMKilled cache pod", async () =>
      (await podsOf(namespace, "cache")).find(
        (p) => p.status?.containerStatuses?.[0]?.lastState?.terminated?.reason === "OOMKilled",
      ),
    );
    expect(pod.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(137);
    const name = pod.metadata?.name as string;
    expect(await cluster.core.readNamespacedPodLog({ name, namespace, previous: true })).toContain(
      "out of memory",
    );
    const events = await eventually("the OOMKilled event", async () => {
      const list = await cluster.core.listNamespacedEvent({
        namespace,
        fieldSelector: `involvedObject.name=${name}`,
      });
      return list.items.find((e) => e.reason === "OOMKilled");
    });
    expect(events.type).toBe("Warning");
  });

  it("schedules nothing onto a cordoned node, and the waiting pod onto it once it is uncordoned", async () => {
    await cluster.applyScenario(`
apiVersion: v1
kind: Namespace
metadata: { name: cordon }
---
apiVersion: v1
kind: Node
metadata: { name: cordoned, labels: { kubernetes.io/hostname: cordoned } }
spec: { unschedulable: true }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: pinned, namespace: cordon }
spec:
  replicas: 1
  selector: { matchLabels: { app: pinned } }
  template:
    metadata: { labels: { app: pinned } }
    spec:
      nodeSelector: { kubernetes.io/hostname: cordoned }
      containers: [{ name: app, image: "shop/pinned:1.0" }]
`);
    const namespace = ns("cordon");
    const pending = await eventually("kube-scheduler to report the pod unschedulable", async () =>
      (await podsOf(namespace, "pinned")).find((p) =>
        p.status?.conditions?.some((c) => c.type === "PodScheduled" && c.reason === "Unschedulable"),
      ),
    );
    expect(pending.spec?.nodeName).toBeUndefined();
    expect(pending.status?.phase).toBe("Pending");

    await cluster.core.patchNode(
      { name: ns("cordoned"), body: { spec: { unschedulable: false } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    const running = await eventually("the pod to run on the uncordoned node", async () =>
      (await podsOf(namespace, "pinned")).find((p) => ready(p)),
    );
    expect(running.spec?.nodeName).toBe(ns("cordoned"));
  });

  it("keeps a NotReady node NotReady (node-lifecycle taints it) and schedules nothing there", async () => {
    await cluster.applyScenario(`
apiVersion: v1
kind: Namespace
metadata: { name: notready }
---
apiVersion: v1
kind: Node
metadata: { name: down, labels: { kubernetes.io/hostname: down } }
status: { conditions: [{ type: Ready, status: "False" }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: pinned, namespace: notready }
spec:
  replicas: 1
  selector: { matchLabels: { app: pinned } }
  template:
    metadata: { labels: { app: pinned } }
    spec:
      nodeSelector: { kubernetes.io/hostname: down }
      containers: [{ name: app, image: "shop/pinned:1.0" }]
`);
    const node = await eventually("node-lifecycle's not-ready taint", async () => {
      const n = await cluster.core.readNode({ name: ns("down") });
      return n.spec?.taints?.some((t) => t.key === "node.kubernetes.io/not-ready") ? n : undefined;
    });
    expect(node.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("False");
    const pending = await eventually("the pinned pod to be unschedulable", async () =>
      (await podsOf(ns("notready"), "pinned")).find((p) =>
        p.status?.conditions?.some((c) => c.type === "PodScheduled" && c.reason === "Unschedulable"),
      ),
    );
    expect(pending.spec?.nodeName).toBeUndefined();
  });
});

describe("what the real API answers where the simulator had to guess", () => {
  it("refuses an eviction a PodDisruptionBudget forbids with 429, after allowing the one it permits", async () => {
    await cluster.applyScenario(`
apiVersion: v1
kind: Namespace
metadata: { name: pdb }
---
apiVersion: v1
kind: Node
metadata: { name: pdb, labels: { kubernetes.io/hostname: pdb } }
---
apiVersion: v1
kind: Pod
metadata: { name: api-1, namespace: pdb, labels: { app: api } }
spec:
  nodeSelector: { kubernetes.io/hostname: pdb }
  containers: [{ name: app, image: "shop/api:1.0" }]
---
apiVersion: v1
kind: Pod
metadata: { name: api-2, namespace: pdb, labels: { app: api } }
spec:
  nodeSelector: { kubernetes.io/hostname: pdb }
  containers: [{ name: app, image: "shop/api:1.0" }]
---
apiVersion: v1
kind: Pod
metadata: { name: api-3, namespace: pdb, labels: { app: api } }
spec:
  nodeSelector: { kubernetes.io/hostname: pdb }
  containers: [{ name: app, image: "shop/api:1.0" }]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: api, namespace: pdb }
spec: { minAvailable: 2, selector: { matchLabels: { app: api } } }
`);
    const namespace = ns("pdb");
    // Bare pods, so an evicted one is not replaced (a ReplicaSet's replacement turning Ready would
    // allow the next eviction again). The disruption controller computes what the eviction API enforces.
    await eventually("the PDB to allow one disruption", async () => {
      const pdb = await cluster.policy.readNamespacedPodDisruptionBudget({ name: "api", namespace });
      return pdb.status?.currentHealthy === 3 && pdb.status.disruptionsAllowed === 1 ? pdb : undefined;
    });
    const [first, second] = await podsOf(namespace, "api");
    const evict = (pod: V1Pod | undefined) =>
      cluster.core.createNamespacedPodEviction({
        name: pod?.metadata?.name as string,
        namespace,
        body: { metadata: { name: pod?.metadata?.name, namespace } },
      });
    await evict(first);
    const blocked = await rejection(evict(second));
    expect(blocked.code).toBe(429);
    expect(blocked.message).toBe("Cannot evict pod as it would violate the pod's disruption budget.");
    // The evicted pod is finalized by the fake kubelet.
    await eventually("the evicted pod to be gone", async () =>
      (await podsOf(namespace, "api")).some((p) => p.metadata?.name === first?.metadata?.name)
        ? undefined
        : true,
    );
  });

  it("answers a JSON patch whose `test` op fails with 422 Unprocessable Entity, not 409", async () => {
    await cluster.applyScenario(`
apiVersion: v1
kind: Namespace
metadata: { name: jsonpatch }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: checkout, namespace: jsonpatch }
spec:
  replicas: 1
  selector: { matchLabels: { app: checkout } }
  template:
    metadata: { labels: { app: checkout } }
    spec: { containers: [{ name: app, image: "shop/checkout:1.4.2" }] }
`);
    const namespace = ns("jsonpatch");
    const deployment = await cluster.apps.readNamespacedDeployment({ name: "checkout", namespace });
    const stale = String(Number(deployment.metadata?.resourceVersion) - 1);
    const failed = await rejection(
      cluster.apps.patchNamespacedDeployment(
        {
          name: "checkout",
          namespace,
          body: [
            { op: "test", path: "/metadata/resourceVersion", value: stale },
            { op: "replace", path: "/spec/replicas", value: 4 },
          ],
        },
        setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
      ),
    );
    // Not a Conflict: a client that retries only 409s gives up here. And the message does not say
    // which op failed, so whoever reads it learns only that the request was wrong.
    expect(failed).toMatchObject({
      code: 422,
      reason: "Invalid",
      message: "the server rejected our request due to an error in our request",
    });
  });

  it("rejects a scenario object the API server finds invalid, naming the object and quoting the server", async () => {
    const attempt = cluster.applyScenario(`
apiVersion: v1
kind: Namespace
metadata: { name: invalid }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: typo, namespace: invalid }
spec:
  replicas: 1
  selector: { matchLabels: { app: typo } }
  template:
    metadata: { labels: { app: typo } }
    spec: { containers: [{ name: app, image: "shop/typo:1.0", resources: { limit: { memory: 1Gi } } }] }
`);
    await expect(attempt).rejects.toBeInstanceOf(ScenarioRejectedError);
    await expect(attempt).rejects.toThrow(
      `Deployment ${ns("invalid")}/typo (400): Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].resources.limit"`,
    );
  });
});
