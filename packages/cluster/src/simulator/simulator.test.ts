import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
