import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { kubeConfigFor } from "../kubeconfig";
import { ClusterSimulator } from "./server";

const SCENARIO = `
apiVersion: v1
kind: Namespace
metadata: { name: shop }
---
apiVersion: v1
kind: Node
metadata: { name: worker-1 }
status: { conditions: [{ type: Ready, status: "True" }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: checkout, namespace: shop, labels: { app: checkout } }
spec:
  replicas: 2
  selector: { matchLabels: { app: checkout } }
  template:
    metadata: { labels: { app: checkout } }
    spec:
      containers:
        - name: app
          image: shop/checkout:v1
          resources: { limits: { memory: 256Mi } }
---
kind: Behaviour
behaviour:
  images:
    "shop/checkout:v2": { crash: true, logs: "panic: nil map in config loader" }
  memoryDemand:
    "shop/checkout/app": 200Mi
`;

describe("the cluster simulator through @kubernetes/client-node", () => {
  const sim = new ClusterSimulator();
  let close: () => Promise<void>;
  let core: CoreV1Api;
  let apps: AppsV1Api;

  beforeAll(async () => {
    sim.loadScenario(SCENARIO);
    const server = await sim.listen();
    close = server.close;
    const kc = kubeConfigFor({ server: server.url });
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
  });
  afterAll(async () => close());

  const pods = async () =>
    (await core.listNamespacedPod({ namespace: "shop", labelSelector: "app=checkout" })).items;

  it("a Deployment gets a ReplicaSet and Ready pods named like a real cluster's", async () => {
    const list = await pods();
    expect(list).toHaveLength(2);
    expect(list[0]?.metadata?.name).toMatch(
      /^checkout-[bcdfghjklmnpqrstvwxz2456789]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/,
    );
    expect(
      list.every((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")),
    ).toBe(true);
    expect(list[0]?.metadata?.creationTimestamp).toBeInstanceOf(Date);
  });

  it("a bad rollout crash-loops, with logs and events; rolling back heals", async () => {
    const deployment = await apps.readNamespacedDeployment({ name: "checkout", namespace: "shop" });
    await apps.patchNamespacedDeployment(
      {
        name: "checkout",
        namespace: "shop",
        body: { spec: { template: { spec: { containers: [{ name: "app", image: "shop/checkout:v2" }] } } } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    const crashing = await pods();
    expect(
      crashing.every((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "CrashLoopBackOff"),
    ).toBe(true);
    const podName = crashing[0]?.metadata?.name as string;
    expect(await core.readNamespacedPodLog({ name: podName, namespace: "shop", previous: true })).toContain(
      "panic: nil map",
    );
    const events = await core.listNamespacedEvent({
      namespace: "shop",
      fieldSelector: `involvedObject.name=${podName}`,
    });
    expect(events.items[0]?.reason).toBe("BackOff");
    const rses = await apps.listNamespacedReplicaSet({ namespace: "shop" });
    expect(
      rses.items.map((r) => r.metadata?.annotations?.["deployment.kubernetes.io/revision"]).sort(),
    ).toEqual(["1", "2"]);

    await apps.patchNamespacedDeployment(
      {
        name: "checkout",
        namespace: "shop",
        body: [{ op: "replace", path: "/spec/template", value: deployment.spec?.template }],
      },
      setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
    );
    expect(
      (await pods()).every((p) =>
        p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
      ),
    ).toBe(true);
    const after = await apps.listNamespacedReplicaSet({ namespace: "shop" });
    const v1 = after.items.find((r) => r.spec?.template?.spec?.containers?.[0]?.image === "shop/checkout:v1");
    expect(v1?.metadata?.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
  });

  it("too little memory is OOMKilled; a larger limit heals", async () => {
    sim.setBehaviour({ memoryDemand: { "shop/checkout/app": "300Mi" } });
    expect((await pods())[0]?.status?.containerStatuses?.[0]?.lastState?.terminated?.reason).toBe(
      "OOMKilled",
    );
    await apps.patchNamespacedDeployment(
      {
        name: "checkout",
        namespace: "shop",
        body: {
          spec: {
            template: { spec: { containers: [{ name: "app", resources: { limits: { memory: "512Mi" } } }] } },
          },
        },
      },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    expect((await pods()).every((p) => p.status?.containerStatuses?.[0]?.ready)).toBe(true);
  });

  it("a stale resourceVersion is a 409 Conflict", async () => {
    const current = await apps.readNamespacedDeployment({ name: "checkout", namespace: "shop" });
    const stale = String(Number(current.metadata?.resourceVersion) - 1);
    const error = await apps
      .patchNamespacedDeployment(
        {
          name: "checkout",
          namespace: "shop",
          body: { metadata: { resourceVersion: stale }, spec: { replicas: 3 } },
        },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 409 });
  });

  it("RBAC denials are 403 naming the verb and resource; injected 429s carry Retry-After", async () => {
    sim.deny("delete", "pods", "shop");
    const podName = (await pods())[0]?.metadata?.name as string;
    const forbidden = await core
      .deleteNamespacedPod({ name: podName, namespace: "shop" })
      .catch((e: unknown) => e);
    expect(forbidden).toMatchObject({ code: 403 });
    expect(String((forbidden as { body?: string }).body)).toContain('cannot delete resource \\"pods\\"');
    sim.fail({ status: 429, times: 1, verb: "list", resource: "pods", retryAfterSeconds: 2 });
    expect(await pods().catch((e: unknown) => e)).toMatchObject({ code: 429 });
    expect(await pods()).toHaveLength(2);
  });

  it("the scale subresource sets replicas", async () => {
    await apps.replaceNamespacedDeploymentScale({
      name: "checkout",
      namespace: "shop",
      body: { spec: { replicas: 3 } },
    });
    expect(await pods()).toHaveLength(3);
  });
});

describe("the simulator answers like kube-apiserver", () => {
  const WORKLOADS = `
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
  replicas: 1
  selector: { matchLabels: { app: checkout } }
  template:
    metadata: { labels: { app: checkout } }
    spec: { containers: [{ name: app, image: "shop/checkout:v1" }] }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: shop }
spec:
  replicas: 2
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
    spec: { containers: [{ name: agent, image: "agent:v1" }] }
---
kind: Behaviour
behaviour: { readyAfterMs: 0, images: { "agent:v2": { crash: true } } }
`;
  let sim: ClusterSimulator;
  let close: () => Promise<void>;
  let core: CoreV1Api;
  let apps: AppsV1Api;

  beforeEach(async () => {
    sim = new ClusterSimulator();
    sim.loadScenario(WORKLOADS);
    const server = await sim.listen();
    close = server.close;
    const kc = kubeConfigFor({ server: server.url });
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
  });
  afterEach(async () => close());

  it("a JSON patch whose test op fails is 422 Invalid (the optimistic lock of a JSON patch), not 409", async () => {
    const current = await apps.readNamespacedDeployment({ name: "checkout", namespace: "shop" });
    const stale = String(Number(current.metadata?.resourceVersion) - 1);
    const error = await apps
      .patchNamespacedDeployment(
        {
          name: "checkout",
          namespace: "shop",
          body: [
            { op: "test", path: "/metadata/resourceVersion", value: stale },
            { op: "replace", path: "/spec/replicas", value: 3 },
          ],
        },
        setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 422 });
    expect(JSON.parse(String((error as { body?: string }).body))).toMatchObject({
      kind: "Status",
      status: "Failure",
      reason: "Invalid",
      code: 422,
    });
    expect(
      (await apps.readNamespacedDeployment({ name: "checkout", namespace: "shop" })).spec?.replicas,
    ).toBe(1);
  });

  it("a delete whose uid precondition does not match is 409 Conflict and deletes nothing", async () => {
    const [pod] = (await core.listNamespacedPod({ namespace: "shop", labelSelector: "app=db" })).items;
    const name = pod?.metadata?.name as string;
    const error = await core
      .deleteNamespacedPod({
        name,
        namespace: "shop",
        body: { preconditions: { uid: "00000000-0000-0000-0000-000000000000" } },
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 409 });
    expect(String((error as { body?: string }).body)).toContain("Precondition failed: UID in precondition");
    expect((await core.readNamespacedPod({ name, namespace: "shop" })).metadata?.uid).toBe(
      pod?.metadata?.uid,
    );
    await core.deleteNamespacedPod({
      name,
      namespace: "shop",
      body: { preconditions: { uid: pod?.metadata?.uid } },
    });
    expect((await core.readNamespacedPod({ name, namespace: "shop" })).metadata?.uid).not.toBe(
      pod?.metadata?.uid,
    );
  });

  it("a DaemonSet runs one pod per node, rolls its template out, and publishes its status fields", async () => {
    const read = () => apps.readNamespacedDaemonSet({ name: "agent", namespace: "shop" });
    expect((await read()).status).toMatchObject({
      desiredNumberScheduled: 2,
      currentNumberScheduled: 2,
      updatedNumberScheduled: 2,
      numberReady: 2,
      numberAvailable: 2,
      numberMisscheduled: 0,
      observedGeneration: 1,
    });

    await apps.patchNamespacedDaemonSet(
      {
        name: "agent",
        namespace: "shop",
        body: { spec: { template: { spec: { containers: [{ name: "agent", image: "agent:v2" }] } } } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );

    const pods = (await core.listNamespacedPod({ namespace: "shop", labelSelector: "app=agent" })).items;
    expect(pods.map((p) => p.spec?.containers?.[0]?.image)).toEqual(["agent:v2", "agent:v2"]);
    expect((await read()).status).toMatchObject({
      desiredNumberScheduled: 2,
      updatedNumberScheduled: 2,
      numberReady: 0,
      numberAvailable: 0,
      numberUnavailable: 2,
      observedGeneration: 2,
    });
  });

  it("a StatefulSet publishes updatedReplicas, readyReplicas and its current and update revisions", async () => {
    const status = (await apps.readNamespacedStatefulSet({ name: "db", namespace: "shop" })).status;
    expect(status).toMatchObject({
      replicas: 2,
      readyReplicas: 2,
      currentReplicas: 2,
      updatedReplicas: 2,
      availableReplicas: 2,
      observedGeneration: 1,
    });
    expect(status?.currentRevision).toMatch(/^db-/);
    expect(status?.updateRevision).toBe(status?.currentRevision);
  });
});
