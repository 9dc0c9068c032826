import { ClusterAccess } from "@kubernaut/cluster";
import { isTerminal, type RemediationRequest } from "@kubernaut/core";
import { sourcePath } from "@kubernaut/policy";
import { approvalIdFor } from "@kubernaut/store";
import type { KubeConfig, V1Pod } from "@kubernetes/client-node";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { webhook } from "../support/alerts";
import { badRollout, DEMO_SCENARIO } from "../support/cluster";
import { eventually, kubeCluster } from "../support/kube";
import { apiRequest, createPipelineHarness, type PipelineHarness } from "../support/pipeline";

/**
 * The trust ladder end to end on the real control plane: alerts through the webhook, the real ASL on
 * the local engine, DynamoDB Local, and the product acting with its ServiceAccount token bound to
 * deploy/rbac.yaml. The Deployment controller, not the simulator, decides how a bad rollout and its
 * rollback play out; the fake kubelet plays the demo scenario's behaviour (images ending in -bad crash).
 */
const cluster = kubeCluster("ladder");
const ns = (name: string) => `${name}${cluster.suffix}`;
/** The test's own hands on the cluster (the "person" doing a bad deploy), never the product's. */
const admin = new ClusterAccess(cluster.kubeConfig);
let product: KubeConfig;

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

beforeAll(async () => {
  await cluster.applyScenario(DEMO_SCENARIO);
  product = await cluster.productKubeConfig();
  for (const [namespace, replicas] of [
    ["staging", 2],
    ["production", 3],
  ] as const)
    await eventually(`${namespace} checkout ${replicas}/${replicas} ready`, async () => {
      const d = await cluster.apps.readNamespacedDeployment({ name: "checkout", namespace: ns(namespace) });
      return d.status?.readyReplicas === replicas && d.status.updatedReplicas === replicas ? d : undefined;
    });
});

async function harness(dryRun: boolean): Promise<PipelineHarness> {
  const h = await createPipelineHarness(
    { remediationOrchestrator: { dryRun }, aianalysis: { rego: { policy: sourcePath("starter") } } },
    { kubeConfig: product },
  );
  closers.push(() => h.pipeline.close());
  return h;
}

const crashAlert = (namespace: string, deployment: string) =>
  webhook([
    {
      labels: { alertname: "KubePodCrashLooping", severity: "critical", namespace, deployment },
    },
  ]);

const isReady = (pod: V1Pod) =>
  pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
const pods = async (namespace: string, app: string) =>
  (await cluster.core.listNamespacedPod({ namespace, labelSelector: `app=${app}` })).items;

/** Until one of the app's pods is in CrashLoopBackOff: what the alert would be about. */
const crashLooping = (namespace: string, app: string) =>
  eventually(`a ${app} pod in ${namespace} in CrashLoopBackOff`, async () =>
    (await pods(namespace, app)).find(
      (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "CrashLoopBackOff",
    ),
  );

const settled = (h: PipelineHarness, id: string, phases: RemediationRequest["phase"][]) =>
  h.waitFor(id, (r) => phases.includes(r.phase) || isTerminal(r.phase), 60_000);

describe("the trust ladder on a real control plane", () => {
  it("Level 1: a dry run on the scenario's broken rollout ends DryRun with the rollback it would have sent, and nothing changes", async () => {
    const h = await harness(true);
    const namespace = ns("staging");
    await crashLooping(namespace, "recommendations");
    const before = await cluster.apps.readNamespacedDeployment({ name: "recommendations", namespace });

    const [created] = await h.postAlerts(crashAlert(namespace, "recommendations"));
    const rr = await h.waitFor(created?.remediationId as string, (r) => isTerminal(r.phase), 60_000);

    expect(rr).toMatchObject({ phase: "Completed", outcome: "DryRun" });
    expect(rr.analysis).toMatchObject({
      investigator: "rules",
      workflowId: "crashloop-rollback-v1",
      parameters: { toRevision: 1 },
      // The evidence came through pods/log from the fake kubelet, proxied by kube-apiserver.
      rootCause: expect.stringContaining("Cannot find module '/app/dist/server.js'"),
    });
    expect(rr.wouldHaveDone).toMatchObject({
      actionType: "RollbackDeployment",
      target: { kind: "Deployment", name: "recommendations", namespace },
      change: {
        calls: [
          {
            method: "PATCH",
            path: `/apis/apps/v1/namespaces/${namespace}/deployments/recommendations`,
            contentType: "application/json-patch+json",
          },
        ],
      },
    });
    const after = await cluster.apps.readNamespacedDeployment({ name: "recommendations", namespace });
    expect(after.metadata?.generation).toBe(before.metadata?.generation);
    expect(after.spec?.template.spec?.containers[0]?.image).toBe("shop/recommendations:2.4.0-bad");
    expect(after.metadata?.annotations?.["kubernaut.ai/remediation-id"]).toBeUndefined();
  });

  it("Level 4: staging's crash loop after a bad rollout is rolled back without a human, the Deployment controller converges it, and the outcome is recorded", async () => {
    const h = await harness(false);
    const namespace = ns("staging");
    await badRollout(admin, namespace);
    const crashing = await crashLooping(namespace, "checkout");

    const [created] = await h.postAlerts(crashAlert(namespace, "checkout"));
    const rr = await settled(h, created?.remediationId as string, ["Verifying"]);

    expect(rr.phase).toBe("Verifying");
    // A real rolling update (maxUnavailable 0 of 2) keeps both old pods serving: one pod of three
    // crashes, not every pod as in the simulator, so the rule's "every pod is affected" bonus is absent.
    expect(rr.analysis).toMatchObject({
      workflowId: "crashloop-rollback-v1",
      confidence: 0.85,
      parameters: { toRevision: 1 },
    });
    expect(rr.policyDecision).toMatchObject({ requireApproval: false, degraded: false });
    expect(rr.workflowExecution).toMatchObject({
      actionType: "RollbackDeployment",
      summary: "rolled back to revision 1 (shop/checkout:1.4.2)",
      rollout: expect.stringMatching(/^2\/2 ready, 2 updated/),
    });
    expect(rr.workflowExecution?.preHash).toMatch(/^[0-9a-f]{64}$/);
    expect(rr.workflowExecution?.postHash).not.toBe(rr.workflowExecution?.preHash);

    // What the controller made of it: revision 1's ReplicaSet is back as revision 3, the crashing pod is gone.
    const deployment = await cluster.apps.readNamespacedDeployment({ name: "checkout", namespace });
    expect(deployment.spec?.template.spec?.containers[0]?.image).toBe("shop/checkout:1.4.2");
    expect(deployment.metadata?.annotations).toMatchObject({
      "deployment.kubernetes.io/revision": "3",
      "kubernaut.ai/remediation-id": rr.id,
    });
    const running = await eventually("the crashing pod to be gone", async () => {
      const now = await pods(namespace, "checkout");
      return now.some((p) => p.metadata?.name === crashing.metadata?.name) ? undefined : now;
    });
    expect(running.map((p) => [p.spec?.containers[0]?.image, isReady(p)])).toEqual([
      ["shop/checkout:1.4.2", true],
      ["shop/checkout:1.4.2", true],
    ]);
    const audit = (await h.store.timeline(rr.id))?.audit ?? [];
    expect(audit.map((e) => e.type)).toEqual(
      expect.arrayContaining(["PolicyEvaluated", "WorkflowExecutionStarted", "WorkflowExecuted"]),
    );
    expect(audit.filter((e) => e.type === "RolloutChecked").at(-1)?.details).toMatchObject({
      converged: true,
    });
  });

  it("Level 3: production waits for approval, and runs after an API approval", async () => {
    const h = await harness(false);
    const namespace = ns("production");
    await badRollout(admin, namespace);
    await crashLooping(namespace, "checkout");

    const [created] = await h.postAlerts(crashAlert(namespace, "checkout"));
    const id = created?.remediationId as string;
    const waiting = await settled(h, id, ["AwaitingApproval"]);
    expect(waiting.phase).toBe("AwaitingApproval");
    expect(waiting.policyDecision).toMatchObject({
      requireApproval: true,
      reason: expect.stringContaining("production environment"),
    });
    // Nothing was changed while it waited.
    const held = await cluster.apps.readNamespacedDeployment({ name: "checkout", namespace });
    expect(held.spec?.template.spec?.containers[0]?.image).toBe("shop/checkout:1.5.0-bad");

    const decision = await apiRequest(h, "POST", `/api/v1/approvals/${approvalIdFor(id)}/decision`, {
      decision: "Approved",
    });
    expect(decision.status).toBe(200);
    const rr = await settled(h, id, ["Verifying"]);

    expect(rr.phase).toBe("Verifying");
    expect(rr.workflowExecution).toMatchObject({
      actionType: "RollbackDeployment",
      summary: "rolled back to revision 1 (shop/checkout:1.4.2)",
      rollout: expect.stringMatching(/^3\/3 ready, 3 updated/),
    });
    const deployment = await cluster.apps.readNamespacedDeployment({ name: "checkout", namespace });
    expect(deployment.status).toMatchObject({ updatedReplicas: 3, readyReplicas: 3 });
    expect(deployment.spec?.template.spec?.containers[0]?.image).toBe("shop/checkout:1.4.2");
  });
});
