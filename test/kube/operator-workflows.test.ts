import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isTerminal, type RemediationRequest } from "@kubernaut/core";
import { sourcePath } from "@kubernaut/policy";
import type { KubeConfig } from "@kubernetes/client-node";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { webhook } from "../support/alerts";
import { DEDICATED_TAINT, kubeCluster } from "../support/kube";
import { createPipelineHarness } from "../support/pipeline";

/**
 * Issue 23 on the real control plane: an operator's two-step workflow — scale the workers, then run the
 * team's cache-flush image as a Job — from the catalog directory, through the whole pipeline, as the
 * product's service account. kube-apiserver validates the scale and the Job, the Deployment and Job
 * controllers act on them, and the fake kubelet runs the Job's pod by the behaviour model: it succeeds,
 * or it fails and the remediation ends Failed naming the step.
 */
const cluster = kubeCluster("opwf");
const ns = (name: string) => `${name}${cluster.suffix}`;
let product: KubeConfig;

const pinned = `
      nodeSelector: { kubernetes.io/hostname: opwf }
      tolerations: [{ key: ${DEDICATED_TAINT}, operator: Exists }]`;

const deployment = (name: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: shop, labels: { app: ${name} } }
spec:
  replicas: 2
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:${pinned}
      containers: [{ name: app, image: "shop/workers:2.0" }]
`;

const SCENARIO = `
apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { kubernaut.ai/environment: staging, kubernaut.ai/managed: "true" } }
---
apiVersion: v1
kind: Node
metadata: { name: opwf, labels: { kubernetes.io/hostname: opwf } }
spec: { taints: [{ key: ${DEDICATED_TAINT}, value: opwf, effect: NoSchedule }] }
---
apiVersion: v1
kind: Node
metadata: { name: opwf-jobs, labels: { kubernetes.io/hostname: opwf-jobs } }
${deployment("checkout")}${deployment("orders")}---
kind: Behaviour
behaviour:
  readyAfterMs: 100
  images:
    "shop/cache-tools:1.0": { runsForMs: 100, logs: "flushed 1200 keys\\n" }
    "shop/cache-tools:broken": { crash: true, exitCode: 3, logs: "redis: connection refused\\n" }
`;

/** Scale the workers, then flush the cache with the team's own image (a Job). */
const scaleAndFlush = (image: string) => ({
  id: "scale-and-flush-v1",
  version: "1.0.0",
  actionType: "ScaleAndFlush",
  description: {
    what: "Scale the queue workers up, then flush their cache.",
    whenToUse: "The queue backs up while the pods look healthy.",
    whenNotToUse: "The backlog comes from a dependency being down.",
  },
  signals: ["QueueBacklogHigh"],
  targetKinds: ["Deployment"],
  parameters: { replicas: { type: "integer", description: "workers", default: 3, minimum: 1, maximum: 5 } },
  reversible: true,
  blastRadius: "the workers and their cache",
  initialTrust: "automate",
  steps: [
    { name: "scale", action: "ScaleReplicas", with: { replicas: "{{ parameters.replicas }}" } },
    {
      name: "flush-cache",
      job: { image, args: ["flush", "--deployment={{ target.name }}"], timeout: "2m", backoffLimit: 0 },
    },
  ],
});

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

beforeAll(async () => {
  await cluster.applyScenario(SCENARIO);
  product = await cluster.productKubeConfig();
});

async function remediate(image: string, name: string): Promise<RemediationRequest> {
  const dir = mkdtempSync(join(tmpdir(), "kubernaut-kube-catalog-"));
  writeFileSync(join(dir, "scale-and-flush.yaml"), stringify(scaleAndFlush(image)));
  const h = await createPipelineHarness(
    {
      remediationOrchestrator: { dryRun: false },
      aianalysis: { rego: { policy: sourcePath("starter"), confidenceThreshold: 0.7 } },
      catalog: { directory: dir },
    },
    { kubeConfig: product },
  );
  closers.push(() => h.pipeline.close());
  const [created] = await h.postAlerts(
    webhook([
      {
        labels: {
          alertname: "QueueBacklogHigh",
          severity: "warning",
          namespace: ns("shop"),
          deployment: name,
        },
      },
    ]),
  );
  expect(created?.status).toBe("created");
  return h.waitFor(
    created?.remediationId as string,
    (r) => r.phase === "Verifying" || isTerminal(r.phase),
    60_000,
  );
}

describe("an operator's two-step workflow with a Job step, on the real control plane", () => {
  it("scales the Deployment, runs the Job to completion, keeps its log, and verifies the rollout", async () => {
    const rr = await remediate("shop/cache-tools:1.0", "checkout");

    expect(rr).toMatchObject({
      phase: "Verifying",
      analysis: { workflowId: "scale-and-flush-v1", workflowVersion: "1.0.0" },
      workflowExecution: { workflowId: "scale-and-flush-v1", workflowVersion: "1.0.0" },
    });
    const [scale, flush] = rr.workflowExecution?.stepResults ?? [];
    expect(scale).toMatchObject({ name: "scale", action: "ScaleReplicas", status: "done" });
    expect(flush).toMatchObject({
      name: "flush-cache",
      action: "Job",
      status: "done",
      logs: expect.stringContaining("flushed 1200 keys"),
    });
    const checkout = await cluster.apps.readNamespacedDeployment({ name: "checkout", namespace: ns("shop") });
    expect(checkout.spec?.replicas).toBe(3);
    const job = await cluster.batch.readNamespacedJob({ name: flush?.job as string, namespace: ns("shop") });
    // The Job controller, not the product, decided it completed.
    expect(job.status?.conditions?.some((c) => c.type === "Complete" && c.status === "True")).toBe(true);
    expect(job.spec?.template.spec?.containers[0]?.args).toEqual(["flush", "--deployment=checkout"]);
  });

  it("a Job whose pod fails ends the remediation Failed naming the step and the log; the scale before it stays done", async () => {
    const rr = await remediate("shop/cache-tools:broken", "orders");

    expect(rr.phase).toBe("Failed");
    expect(rr.reason).toMatch(/flush-cache/);
    expect(rr.reason).toMatch(/redis: connection refused/);
    const [scale, flush] = rr.workflowExecution?.stepResults ?? [];
    expect(scale).toMatchObject({ name: "scale", status: "done" });
    expect(flush).toMatchObject({ name: "flush-cache", status: "failed" });
    const orders = await cluster.apps.readNamespacedDeployment({ name: "orders", namespace: ns("shop") });
    expect(orders.spec?.replicas).toBe(3);
  });
});
