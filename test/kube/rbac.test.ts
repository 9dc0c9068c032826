import { readFileSync } from "node:fs";
import {
  ClusterAccess,
  type ExecutionRequest,
  executeWorkflow,
  gatherEvidence,
  ownerChain,
  rolloutConverged,
} from "@kubernaut/cluster";
import { ApiException, AuthorizationV1Api } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { DEDICATED_TAINT, eventually, kubeCluster, PRODUCT_USER } from "../support/kube";

/**
 * deploy/rbac.yaml on a real kube-apiserver with the RBAC authorizer: the product's inspection and
 * every executor of the catalog, run with a token of the `kubernaut` ServiceAccount the manifest binds,
 * succeed; what the manifest leaves out (Secrets, exec, creating or deleting workloads) is Forbidden.
 * kube-apiserver's audit log records every request the ServiceAccount made, so the test sees exactly
 * which verbs the product used and that none was refused (test/kube/audit holds the manifest to what
 * the whole kube suite used).
 */
const cluster = kubeCluster("rbac");
const ns = (name: string) => `${name}${cluster.suffix}`;
const USER = PRODUCT_USER;

/** The workloads the executors act on, on a node of this file's own (tainted, so no other file's pods land there). */
const SCENARIO = `
apiVersion: v1
kind: Namespace
metadata: { name: shop }
---
apiVersion: v1
kind: Node
metadata: { name: rbac, labels: { kubernetes.io/hostname: rbac } }
spec: { taints: [{ key: ${DEDICATED_TAINT}, value: rbac, effect: NoSchedule }] }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: web-config, namespace: shop }
data: { GREETING: hello }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop, labels: { app: web } }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      nodeSelector: { kubernetes.io/hostname: rbac }
      tolerations: [{ key: ${DEDICATED_TAINT}, operator: Exists }]
      containers:
        - name: app
          image: shop/web:1.0
          envFrom: [{ configMapRef: { name: web-config } }]
          resources: { limits: { memory: 256Mi } }
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web, namespace: shop }
spec: { minAvailable: 2, selector: { matchLabels: { app: web } } }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: web, namespace: shop }
spec: { scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }, minReplicas: 2, maxReplicas: 4 }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: shop, labels: { app: db } }
spec:
  replicas: 1
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec:
      nodeSelector: { kubernetes.io/hostname: rbac }
      tolerations: [{ key: ${DEDICATED_TAINT}, operator: Exists }]
      containers: [{ name: db, image: "postgres:16.4" }]
---
kind: Patch
target: { kind: StatefulSet, namespace: shop, name: db }
patch: { spec: { template: { spec: { containers: [{ name: db, image: "postgres:17.0-bad" }] } } } }
---
kind: Behaviour
behaviour:
  images: { "postgres:17.0-bad": { crash: true, logs: "FATAL: database files are incompatible with server" } }
`;

const AuditEvent = z.object({
  user: z.object({ username: z.string() }),
  verb: z.string(),
  objectRef: z
    .object({
      resource: z.string().optional(),
      subresource: z.string().optional(),
      apiGroup: z.string().optional(),
      namespace: z.string().optional(),
    })
    .optional(),
  responseStatus: z.object({ code: z.number() }).optional(),
  requestURI: z.string(),
});
type AuditEvent = z.infer<typeof AuditEvent>;

function auditEvents(): AuditEvent[] {
  return readFileSync(cluster.auditLogPath, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => AuditEvent.parse(JSON.parse(line)))
    .filter((e) => e.user.username === USER);
}

const permission = (e: AuditEvent) =>
  `${e.verb} ${e.objectRef?.apiGroup ? `${e.objectRef.apiGroup}/` : ""}${e.objectRef?.resource ?? e.requestURI}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ""}`;

let access: ClusterAccess;

beforeAll(async () => {
  await cluster.applyScenario(SCENARIO);
  // deploy/rbac.yaml as written, and a bound token of its ServiceAccount (test/support/kube.ts).
  access = new ClusterAccess(await cluster.productKubeConfig());
  await eventually("web 2/2 ready", async () => {
    const web = await cluster.apps.readNamespacedDeployment({ name: "web", namespace: ns("shop") });
    return web.status?.readyReplicas === 2 ? web : undefined;
  });
});

const request = (
  actionType: string,
  target: ExecutionRequest["target"],
  parameters: ExecutionRequest["parameters"] = {},
) => ({
  remediationId: `rr-${actionType.toLowerCase()}-${Date.now()}`,
  actionType,
  changesSpec: ["RollbackDeployment", "IncreaseMemoryLimits", "RollbackStatefulSet"].includes(actionType),
  target,
  parameters,
});

describe("deploy/rbac.yaml with the product's ServiceAccount token", () => {
  it("lets the investigators read everything they gather: workload, pods, events, logs, rollout history, nodes, PDBs, HPAs, network policies, ConfigMaps", async () => {
    const web = { kind: "Deployment", name: "web", namespace: ns("shop") };
    const evidence = await gatherEvidence(access, web);
    expect(evidence.pods).toHaveLength(2);
    expect(evidence.logs.map((l) => l.previous)).toContain(false);
    expect(evidence.target.specHash).toMatch(/^[0-9a-f]{64}$/);
    expect(evidence.nodes.map((n) => n.name)).toEqual([ns("rbac")]);
    expect(evidence.detectedLabels).toMatchObject({ pdbProtected: true, hpaEnabled: true });
    expect(evidence.hpa).toMatchObject({ name: "web", maxReplicas: 4 });

    const db = await gatherEvidence(access, { kind: "StatefulSet", name: "db", namespace: ns("shop") });
    const crashLog = await eventually("the crashing db's previous log", async () => {
      const again = await gatherEvidence(access, { kind: "StatefulSet", name: "db", namespace: ns("shop") });
      return again.logs.find((l) => l.previous)?.tail;
    });
    expect(db.target.kind).toBe("StatefulSet");
    expect(crashLog).toContain("FATAL: database files are incompatible with server");

    const pod = evidence.pods[0]?.name as string;
    expect(await ownerChain(access, { kind: "Pod", name: pod, namespace: ns("shop") })).toEqual([
      { kind: "Pod", name: pod },
      { kind: "ReplicaSet", name: expect.stringMatching(/^web-/) },
      { kind: "Deployment", name: "web" },
    ]);
    expect((await gatherEvidence(access, { kind: "Node", name: ns("rbac") })).target.ready).toBe(true);
  });

  it("lets every executor of the catalog do its work, and the rollouts converge", async () => {
    const web = { kind: "Deployment", name: "web", namespace: ns("shop") };
    const db = { kind: "StatefulSet", name: "db", namespace: ns("shop") };
    // One remediation at a time, each after the last one's rollout has settled. Settled, not just
    // converged: RollbackDeployment's JSON patch `test`s the resourceVersion it read, every status write
    // of the Deployment controller (old pods going away, conditions) changes it, and the server answers
    // a failed `test` with 422, which the executors do not retry. Back to back, the rollback fails.
    const settled = () =>
      eventually("web's rollout to settle", async () => {
        const before = await cluster.apps.readNamespacedDeployment({ name: "web", namespace: ns("shop") });
        const s = before.status;
        const want = before.spec?.replicas;
        if (!s || s.observedGeneration !== before.metadata?.generation) return undefined;
        if (
          s.replicas !== want ||
          s.updatedReplicas !== want ||
          s.readyReplicas !== want ||
          s.availableReplicas !== want
        )
          return undefined;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const after = await cluster.apps.readNamespacedDeployment({ name: "web", namespace: ns("shop") });
        return after.metadata?.resourceVersion === before.metadata?.resourceVersion ? true : undefined;
      });
    const results = [];
    results.push(
      await executeWorkflow(
        access,
        request("IncreaseMemoryLimits", web, { container: "app", memoryLimit: 536_870_912 }),
      ),
    );
    await settled();
    results.push(await executeWorkflow(access, request("RollbackDeployment", web, { toRevision: 0 })));
    await settled();
    results.push(await executeWorkflow(access, request("ScaleReplicas", web, { replicas: 3 })));
    await settled();
    results.push(await executeWorkflow(access, request("PatchHPA", web, { maxReplicas: 6 })));
    results.push(await executeWorkflow(access, request("RestartPod", web, { mode: "rolloutRestart" })));
    await settled();
    results.push(await executeWorkflow(access, request("RestartPod", web, { mode: "deletePod" })));
    // The StatefulSet controller records the bad revision as a ControllerRevision on its own time (slow
    // on a loaded machine): roll back once there is an earlier one to go back to.
    await eventually("db's second ControllerRevision", async () => {
      const revisions = await cluster.apps.listNamespacedControllerRevision({ namespace: ns("shop") });
      return revisions.items.filter((r) => r.metadata?.name?.startsWith("db-")).length >= 2
        ? true
        : undefined;
    });
    results.push(await executeWorkflow(access, request("RollbackStatefulSet", db, { toRevision: 0 })));
    for (const result of results) expect(result.alreadyApplied).toBe(false);

    const rolledBack = await cluster.apps.readNamespacedStatefulSet({ name: "db", namespace: ns("shop") });
    expect(rolledBack.spec?.template.spec?.containers[0]?.image).toBe("postgres:16.4");
    const webNow = await cluster.apps.readNamespacedDeployment({ name: "web", namespace: ns("shop") });
    expect(webNow.spec?.replicas).toBe(3);
    expect(webNow.spec?.template.spec?.containers[0]?.resources?.limits?.memory).toBe("256Mi");
    const hpa = await access.autoscaling.readNamespacedHorizontalPodAutoscaler({
      name: "web",
      namespace: ns("shop"),
    });
    expect(hpa.spec?.maxReplicas).toBe(6);
  });

  it("lets the drain evict until the PodDisruptionBudget stops it (the eviction API's 429)", async () => {
    const web = { kind: "Deployment", name: "web", namespace: ns("shop") };
    await eventually("web 3/3 ready", async () =>
      (await rolloutConverged(access, web)).converged ? true : undefined,
    );
    await eventually("the PDB to allow one disruption", async () => {
      const pdb = await cluster.policy.readNamespacedPodDisruptionBudget({
        name: "web",
        namespace: ns("shop"),
      });
      return pdb.status?.currentHealthy === 3 && pdb.status.disruptionsAllowed === 1 ? pdb : undefined;
    });
    const drain = executeWorkflow(
      access,
      request("CordonDrainNode", { kind: "Node", name: ns("rbac") }, { drain: true }),
    );
    await expect(drain).rejects.toMatchObject({ name: "DisruptionBudgetViolated" });
    await expect(drain).rejects.toThrow(
      /would violate its PodDisruptionBudget \(Cannot evict pod as it would violate the pod's disruption budget\.\)/,
    );
    expect((await cluster.core.readNode({ name: ns("rbac") })).spec?.unschedulable).toBe(true);
  });

  it("forbids what the manifest does not grant: Secrets, exec, creating and deleting workloads", async () => {
    const namespace = ns("shop");
    const forbidden = async (call: Promise<unknown>) => {
      try {
        await call;
      } catch (error) {
        if (error instanceof ApiException) return error.code;
        throw error;
      }
      return 200;
    };
    expect(await forbidden(access.core.listNamespacedSecret({ namespace }))).toBe(403);
    expect(await forbidden(access.core.readNamespacedSecret({ name: "anything", namespace }))).toBe(403);
    expect(await forbidden(access.apps.deleteNamespacedDeployment({ name: "web", namespace }))).toBe(403);
    expect(
      await forbidden(
        access.apps.createNamespacedDeployment({
          namespace,
          body: {
            metadata: { name: "intruder" },
            spec: {
              selector: { matchLabels: { app: "x" } },
              template: {
                metadata: { labels: { app: "x" } },
                spec: { containers: [{ name: "x", image: "x" }] },
              },
            },
          },
        }),
      ),
    ).toBe(403);
    // exec is a connect request (a websocket): ask the authorizer the same question instead.
    const allowed = await cluster.kubeConfig.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
      body: {
        spec: {
          user: USER,
          groups: ["system:serviceaccounts", "system:serviceaccounts:kubernaut"],
          resourceAttributes: { namespace, verb: "create", resource: "pods", subresource: "exec" },
        },
      },
    });
    expect(allowed.status?.allowed).toBe(false);
  });

  it("records in the audit log that nothing the product did was refused", async () => {
    const events = await eventually("the ServiceAccount's requests in the audit log", async () => {
      const all = auditEvents();
      return all.some((e) => e.objectRef?.subresource === "eviction") ? all : undefined;
    });
    // The forbidden probes of the previous test are the only 403s.
    const refused = events
      .filter((e) => e.responseStatus?.code === 403)
      .map(permission)
      .filter(
        (p) =>
          !["list secrets", "get secrets", "delete apps/deployments", "create apps/deployments"].includes(p),
      );
    expect(refused).toEqual([]);
    const used = new Set(events.filter((e) => (e.responseStatus?.code ?? 0) < 400).map(permission));
    for (const expected of [
      "get apps/deployments",
      "patch apps/deployments",
      "patch apps/statefulsets",
      "list apps/replicasets",
      "list apps/controllerrevisions",
      "list pods",
      "get pods/log",
      "delete pods",
      "patch nodes",
      "patch autoscaling/horizontalpodautoscalers",
      "create pods/eviction",
      "get configmaps",
      "list policy/poddisruptionbudgets",
      "list networking.k8s.io/networkpolicies",
      "list events",
    ])
      expect(used).toContain(expected);
  });
});
