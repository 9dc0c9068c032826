import { isTerminal } from "@kubernaut/core";
import { OpenAiCompatibleModel } from "@kubernaut/llm";
import { type ScriptStep, startOpenAiStandIn } from "@kubernaut/llm/standin";
import { BatchV1Api, type KubeConfig, type V1JobSpec } from "@kubernetes/client-node";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { webhook } from "../support/alerts";
import { eventually, kubeCluster } from "../support/kube";
import { apiRequest, createPipelineHarness, type PipelineHarness } from "../support/pipeline";

/**
 * Targets resolved from the real cluster at Level 1 (dry runs: nothing is changed here): the owner
 * chain from a pod's controller references as the real controllers set them, a target that does not
 * exist, alerts about the other kinds an alert can name, and text intake's read-only tools listing the
 * cluster for the model — all with the product's ServiceAccount token.
 */
const cluster = kubeCluster("targets");
const ns = (name: string) => `${name}${cluster.suffix}`;
let product: KubeConfig;

const SCENARIO = `
apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { kubernaut.ai/environment: staging, kubernaut.ai/managed: "true" } }
---
apiVersion: v1
kind: Pod
metadata: { name: debug-1, namespace: shop, labels: { app: debug } }
spec: { containers: [{ name: sh, image: "busybox:1.36" }] }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: ledger, namespace: shop, labels: { app: ledger } }
spec:
  replicas: 1
  selector: { matchLabels: { app: ledger } }
  template:
    metadata: { labels: { app: ledger } }
    spec: { containers: [{ name: db, image: "postgres:16.4" }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop, labels: { app: web } }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: app, image: "shop/web:1.0" }] }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: web, namespace: shop }
spec: { scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }, minReplicas: 1, maxReplicas: 3 }
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web, namespace: shop }
spec: { minAvailable: 1, selector: { matchLabels: { app: web } } }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data, namespace: shop }
spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } }
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: report, namespace: shop }
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec: { restartPolicy: Never, containers: [{ name: report, image: "shop/report:1.0" }] }
`;

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

beforeAll(async () => {
  await cluster.applyScenario(SCENARIO);
  product = await cluster.productKubeConfig();
  // A run of the CronJob, started by hand the way `kubectl create job --from=cronjob/report` does: the
  // Job's controller reference names the CronJob (the schedule would take until 03:00).
  const namespace = ns("shop");
  const batch = cluster.kubeConfig.makeApiClient(BatchV1Api);
  const cronJob = await batch.readNamespacedCronJob({ name: "report", namespace });
  await batch.createNamespacedJob({
    namespace,
    body: {
      metadata: {
        name: "report-manual",
        ownerReferences: [
          {
            apiVersion: "batch/v1",
            kind: "CronJob",
            name: "report",
            uid: cronJob.metadata?.uid as string,
            controller: true,
          },
        ],
      },
      spec: cronJob.spec?.jobTemplate.spec as V1JobSpec,
    },
  });
});

async function harness(options: Parameters<typeof createPipelineHarness>[1] = {}, llmUrl?: string) {
  const h = await createPipelineHarness(
    {
      remediationOrchestrator: { dryRun: true },
      ...(llmUrl
        ? {
            aianalysis: {
              llm: { provider: "openai-compatible", baseUrl: llmUrl, model: "stand-in", retries: 0 },
            },
          }
        : {}),
    },
    { kubeConfig: product, ...options },
  );
  closers.push(() => h.pipeline.close());
  return h;
}

const alert = (labels: Record<string, string>) =>
  webhook([{ labels: { alertname: "KubePodCrashLooping", severity: "critical", ...labels } }]);

async function ended(h: PipelineHarness, labels: Record<string, string>) {
  const [answer] = await h.postAlerts(alert(labels));
  expect(answer?.status).toBe("created");
  return h.waitFor(answer?.remediationId as string, (r) => isTerminal(r.phase), 30_000);
}

const podOf = (selector: string) =>
  eventually(`a pod of ${selector}`, async () => {
    const { items } = await cluster.core.listNamespacedPod({
      namespace: ns("shop"),
      labelSelector: selector,
    });
    return items[0]?.metadata?.name;
  });

describe("targets resolved from the real cluster", () => {
  it("a bare pod, named like a StatefulSet's ordinal, stays a Pod target", async () => {
    const h = await harness();
    const rr = await ended(h, { namespace: ns("shop"), pod: "debug-1" });
    expect(rr.targetResource).toEqual({ kind: "Pod", name: "debug-1", namespace: ns("shop") });
    expect(rr.phase).not.toBe("Cancelled");
  });

  it("a StatefulSet's pod (<name>-<ordinal>) is resolved to the StatefulSet through the controller reference the StatefulSet controller set", async () => {
    const h = await harness();
    await podOf("app=ledger");
    const rr = await ended(h, { namespace: ns("shop"), pod: "ledger-0" });
    expect(rr.targetResource).toEqual({ kind: "StatefulSet", name: "ledger", namespace: ns("shop") });
    const { audit } = (await h.store.timeline(rr.id)) ?? { audit: [] };
    expect(audit.find((e) => e.type === "TargetVerified")?.details).toMatchObject({
      inferred: { kind: "Pod", name: "ledger-0" },
      verified: { kind: "StatefulSet", name: "ledger" },
    });
  });

  it("a Deployment's pod goes up Pod → ReplicaSet → Deployment, and a CronJob's pod up Pod → Job → CronJob", async () => {
    const h = await harness();
    const web = await ended(h, { namespace: ns("shop"), pod: await podOf("app=web") });
    expect(web.targetResource).toEqual({ kind: "Deployment", name: "web", namespace: ns("shop") });
    const report = await ended(h, { namespace: ns("shop"), pod: await podOf("job-name=report-manual") });
    expect(report.targetResource).toEqual({ kind: "CronJob", name: "report", namespace: ns("shop") });
  });

  it("a Deployment that does not exist is Cancelled, named in words, and nothing is remediated", async () => {
    const h = await harness();
    const rr = await ended(h, { namespace: ns("shop"), deployment: "ghost" });
    expect(rr).toMatchObject({
      phase: "Cancelled",
      reason: `TargetNotFound: Deployment ${ns("shop")}/ghost not found in the default cluster`,
    });
    expect(rr.analysis).toBeUndefined();
  });

  it.each([
    ["horizontalpodautoscaler", "web", "HorizontalPodAutoscaler", "KubeHpaMaxedOut"],
    ["poddisruptionbudget", "web", "PodDisruptionBudget", "KubePdbNotEnoughHealthyPods"],
    ["persistentvolumeclaim", "data", "PersistentVolumeClaim", "KubePersistentVolumeFillingUp"],
  ])(
    "an alert naming a %s is read from the cluster (it exists: not TargetNotFound)",
    async (label, name, kind, alertname) => {
      const h = await harness();
      const rr = await ended(h, { alertname, namespace: ns("shop"), [label]: name });
      expect(rr.targetResource).toEqual({ kind, name, namespace: ns("shop") });
      expect(rr.phase).not.toBe("Cancelled");
      const { audit } = (await h.store.timeline(rr.id)) ?? { audit: [] };
      expect(audit.find((e) => e.type === "SignalProcessed")?.details).toMatchObject({ managed: true });
    },
  );
});

describe("text intake on the real cluster", () => {
  it("the model's read-only tools list namespaces, workloads and pods with the product's token", async () => {
    const namespace = ns("shop");
    const script: ScriptStep[] = [
      { toolCalls: [{ name: "list_namespaces", arguments: {} }] },
      { toolCalls: [{ name: "list_workloads", arguments: { namespace } }] },
      { toolCalls: [{ name: "list_pods", arguments: { namespace } }] },
      {
        content: JSON.stringify({
          kind: "StatefulSet",
          namespace,
          name: "ledger",
          alertName: "KubePodCrashLooping",
          severity: "warning",
          summary: "the ledger database restarts",
        }),
      },
    ];
    const standIn = await startOpenAiStandIn(script);
    closers.push(standIn.close);
    const h = await harness(
      {
        model: new OpenAiCompatibleModel({
          baseUrl: standIn.url,
          model: "stand-in",
          timeoutMs: 5_000,
          retries: 0,
        }),
      },
      standIn.url,
    );

    const accepted = await apiRequest(h, "POST", "/api/v1/signals/text", {
      text: "the ledger database in shop keeps restarting",
    });
    expect(accepted.status).toBe(202);
    const { intakeId } = (await accepted.json()) as { intakeId: string };
    const intake = await eventually("the intake to settle", async () => {
      const response = await apiRequest(h, "GET", `/api/v1/intake/${intakeId}`);
      const body = (await response.json()) as { state: string; signal?: { labels: Record<string, string> } };
      return body.state === "Submitted" || body.state === "Failed" ? body : undefined;
    });

    expect(intake).toMatchObject({
      state: "Submitted",
      signal: { labels: { statefulset: "ledger", namespace } },
    });
    const toolOutput = (request: number) =>
      standIn.requests[request]?.messages.findLast((m) => m.role === "tool")?.content ?? "";
    expect(toolOutput(1)).toContain(`"name":"${namespace}"`);
    expect(toolOutput(2)).toContain('"kind":"StatefulSet","name":"ledger"');
    expect(toolOutput(2)).toContain('"kind":"Deployment","name":"web"');
    expect(toolOutput(3)).toContain('"name":"ledger-0"');
  });
});
