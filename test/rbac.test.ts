import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  ClusterAccess,
  executeWorkflow,
  kubeConfigFor,
  type ParameterValue,
  renderStep,
  rolloutConverged,
  runStep,
} from "@kubernaut/cluster";
import { ClusterSimulator, type PolicyRule } from "@kubernaut/cluster/simulator";
import { CATALOG, defineWorkflow } from "@kubernaut/workflows";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";

/** The rules `kubectl apply -f deploy/rbac.yaml` grants the product's service account. */
const RULES = parseAllDocuments(readFileSync(join(import.meta.dirname, "..", "deploy", "rbac.yaml"), "utf8"))
  .map((doc) => doc.toJS() as { kind?: string; rules?: PolicyRule[] })
  .find((doc) => doc.kind === "ClusterRole")?.rules as PolicyRule[];

/** One object of every kind the catalog acts on, each with what its workflows need. */
const SCENARIO = `
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
metadata: { name: web, namespace: shop }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: app, image: "web:v1", resources: { limits: { memory: 64Mi } } }] }
---
apiVersion: v1
kind: Patch
target: { kind: Deployment, namespace: shop, name: web }
patch: { spec: { template: { spec: { containers: [{ name: app, image: "web:v2" }] } } } }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: web, namespace: shop }
spec: { scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }, minReplicas: 2, maxReplicas: 4 }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: shop }
spec:
  replicas: 1
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec: { containers: [{ name: app, image: "db:v1", resources: { limits: { memory: 64Mi } } }] }
---
apiVersion: v1
kind: Patch
target: { kind: StatefulSet, namespace: shop, name: db }
patch: { spec: { template: { spec: { containers: [{ name: app, image: "db:v2" }] } } } }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: db, namespace: shop }
spec: { scaleTargetRef: { apiVersion: apps/v1, kind: StatefulSet, name: db }, minReplicas: 1, maxReplicas: 2 }
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent, namespace: shop }
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec: { containers: [{ name: app, image: "agent:v1", resources: { limits: { memory: 64Mi } } }] }
---
kind: Behaviour
behaviour: { readyAfterMs: 0 }
`;

/** Parameters that make each action do its real work. */
const PARAMETERS: Record<string, Record<string, ParameterValue>> = {
  RollbackDeployment: {},
  RollbackStatefulSet: {},
  RestartPod: { mode: "deletePod" },
  IncreaseMemoryLimits: { container: "app", memoryLimit: 134_217_728 },
  ScaleReplicas: { replicas: 3 },
  PatchHPA: { maxReplicas: 6 },
  CordonDrainNode: { drain: true },
};

const NAMES: Record<string, string> = {
  Deployment: "web",
  StatefulSet: "db",
  DaemonSet: "agent",
  Node: "worker-1",
};

const cases = CATALOG.flatMap((workflow) =>
  workflow.targetKinds.map((kind) => ({ workflow: workflow.id, actionType: workflow.actionType, kind })),
);

describe("deploy/rbac.yaml", () => {
  let sim: ClusterSimulator;
  let admin: ClusterAccess;
  let kubernaut: ClusterAccess;
  let close: () => Promise<void>;

  beforeEach(async () => {
    sim = new ClusterSimulator();
    sim.loadScenario(SCENARIO);
    sim.authorize("kubernaut-service-account", RULES);
    const server = await sim.listen();
    close = server.close;
    admin = new ClusterAccess(kubeConfigFor({ server: server.url }));
    kubernaut = new ClusterAccess(kubeConfigFor({ server: server.url, token: "kubernaut-service-account" }));
  });
  afterEach(async () => close());

  it("is enforced by the simulator for the service account's token", async () => {
    // Nothing in the catalog deletes a workload, so the role does not allow it.
    const refused = await kubernaut.apps
      .deleteNamespacedDeployment({ name: "web", namespace: "shop" })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 403 });
    await admin.apps.readNamespacedDeployment({ name: "web", namespace: "shop" });
  });

  it.each(cases)(
    "grants what $workflow needs on a $kind, execution and verification",
    async ({ actionType, kind }) => {
      const target =
        kind === "Pod"
          ? {
              kind,
              name: (await admin.core.listNamespacedPod({ namespace: "shop", labelSelector: "app=web" }))
                .items[0]?.metadata?.name as string,
              namespace: "shop",
            }
          : { kind, name: NAMES[kind] as string, ...(kind === "Node" ? {} : { namespace: "shop" }) };
      const parameters = PARAMETERS[actionType] ?? {};

      const result = await executeWorkflow(kubernaut, {
        remediationId: `rr-rbac-${kind.toLowerCase()}`,
        actionType,
        changesSpec: true,
        target,
        parameters,
      });
      const verified = await rolloutConverged(kubernaut, target, { actionType, parameters });

      expect(result.summary).not.toBe("");
      expect(verified.detail).not.toBe("");
    },
  );

  it("grants what a Job step needs: create the Job, read it, list its pods and read their logs", async () => {
    sim.setBehaviour({ images: { "shop/tools:1": { runsForMs: 0, logs: "done\n" } } });
    const workflow = defineWorkflow({
      id: "rbac-job-v1",
      version: "1.0.0",
      actionType: "RunScript",
      description: { what: "a script", whenToUse: "tests", whenNotToUse: "never" },
      signals: ["X"],
      targetKinds: ["Deployment"],
      reversible: true,
      blastRadius: "none",
      steps: [{ name: "script", job: { image: "shop/tools:1", timeout: "1m" } }],
    });
    const step = renderStep(
      {
        remediationId: "rr-rbac-job",
        workflow,
        parameters: {},
        target: { kind: "Deployment", name: "web", namespace: "shop" },
      },
      0,
    );
    let progress = await runStep(kubernaut, step);
    for (let i = 0; i < 50 && progress.state === "running"; i++) progress = await runStep(kubernaut, step);
    expect(progress).toMatchObject({ state: "done", logs: expect.stringContaining("done") });
  });
});
