import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ClusterAccess, kubeConfigFor } from "@kubernaut/cluster";
import { ClusterSimulator } from "@kubernaut/cluster/simulator";
import { isTerminal, type RemediationRequest } from "@kubernaut/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhook } from "./support/alerts";
import { createPipelineHarness, type PipelineHarness } from "./support/pipeline";

const SCENARIO = readFileSync(join(import.meta.dirname, "..", "scenarios", "demo.yaml"), "utf8");

/**
 * Each rules scenario seeded in the simulator, through the pipeline at Level 1 (so only the analysis
 * and routing are exercised, nothing is changed).
 */
describe("rules scenarios on the simulated cluster", () => {
  let h: PipelineHarness;
  let simulator: ClusterSimulator;
  let access: ClusterAccess;
  let close: () => Promise<void>;

  beforeAll(async () => {
    simulator = new ClusterSimulator();
    simulator.loadScenario(SCENARIO);
    simulator.setBehaviour({
      images: {
        "shop/checkout:9.9.9-typo": { pullFails: true },
        "shop/recommendations:2.4.0-bad": { crash: true },
        "shop/worker:1.0.0": { crash: true, logs: "connection refused: queue:5672" },
      },
      memoryDemand: { "staging/cart/app": "700Mi" },
      load: { "production/checkout": 12 },
      readyAfterMs: 0,
    });
    const server = await simulator.listen();
    close = server.close;
    access = new ClusterAccess(kubeConfigFor({ server: server.url }));
    h = await createPipelineHarness(
      { remediationOrchestrator: { dryRun: true } },
      { clusterUrl: server.url },
    );
  });
  afterAll(async () => {
    await h.pipeline.close();
    await close();
  });

  async function analyse(labels: Record<string, string | undefined>): Promise<RemediationRequest> {
    const [created] = await h.postAlerts(
      webhook([{ labels: { severity: "critical", ...labels } as Record<string, string> }]),
    );
    expect(created?.status).toBe("created");
    return h.waitFor(created?.remediationId as string, (r) => isTerminal(r.phase));
  }

  /**
   * A new single-revision Deployment in staging: no rollout to blame for what its pods do. The simulator
   * reports a crash-looping or OOMKilled container from its first status on.
   */
  const deploy =
    (name: string, image: string, memoryLimit = "512Mi") =>
    async () => {
      simulator.apply({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace: "staging", labels: { app: name } },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: { containers: [{ name: "app", image, resources: { limits: { memory: memoryLimit } } }] },
          },
        },
      });
    };

  it.each([
    {
      case: "crash loop with no rollout to blame → restart, below the floor → manual review",
      setup: deploy("worker", "shop/worker:1.0.0"),
      labels: { alertname: "KubePodCrashLooping", namespace: "staging", deployment: "worker" },
      expected: {
        outcome: "ManualReviewRequired",
        analysis: { workflowId: "restart-pod-v1", confidence: 0.6 },
      },
    },
    {
      case: "OOMKilled → absolute memory increase",
      setup: deploy("cart", "shop/cart:1.0.0"),
      labels: { alertname: "KubeContainerOOMKilled", namespace: "staging", deployment: "cart" },
      expected: {
        outcome: "DryRun",
        analysis: {
          workflowId: "increase-memory-limits-v1",
          parameters: { container: "app", memoryLimit: 1_073_741_824 },
        },
      },
    },
    {
      case: "crash loop after a recent rollout → rollback (shipped broken in the scenario)",
      setup: async () => undefined,
      labels: { alertname: "KubePodCrashLooping", namespace: "staging", deployment: "recommendations" },
      expected: { outcome: "DryRun", analysis: { workflowId: "crashloop-rollback-v1", confidence: 0.95 } },
    },
    {
      case: "image pull failure after a rollout → rollback",
      setup: () =>
        access.patch(
          { kind: "Deployment", name: "checkout", namespace: "staging" },
          {
            strategy: "strategic",
            body: {
              spec: {
                template: { spec: { containers: [{ name: "app", image: "shop/checkout:9.9.9-typo" }] } },
              },
            },
          },
        ),
      labels: { alertname: "KubePodNotReady", namespace: "staging", deployment: "checkout" },
      expected: {
        outcome: "DryRun",
        analysis: {
          workflowId: "crashloop-rollback-v1",
          rootCause: expect.stringContaining("cannot be pulled"),
        },
      },
    },
    {
      case: "HPA at max under load → patch HPA",
      setup: async () => undefined,
      labels: { alertname: "KubeHpaMaxedOut", namespace: "production", deployment: "checkout" },
      expected: {
        outcome: "DryRun",
        analysis: { workflowId: "patch-hpa-v1", parameters: { maxReplicas: 9 } },
      },
    },
    {
      case: "NotReady node → cordon and drain",
      setup: () =>
        access.patch(
          { kind: "Node", name: "worker-2" },
          { strategy: "merge", body: { status: { conditions: [{ type: "Ready", status: "False" }] } } },
        ),
      labels: { alertname: "KubeNodeNotReady", node: "worker-2" },
      expected: { outcome: "DryRun", analysis: { workflowId: "cordon-drain-node-v1" } },
    },
    {
      case: "a target that is already healthy → NoActionRequired",
      setup: async () => undefined,
      labels: { alertname: "KubePodCrashLooping", namespace: "production", statefulset: "ledger" },
      expected: {
        outcome: "NoActionRequired",
        analysis: { actionable: false, rootCause: "StatefulSet/ledger is healthy: 1/1 pods ready" },
      },
    },
    {
      case: "an alert it does not understand → no workflow, a suggestion, manual review",
      // About an object no workflow acts on (a namespace alone would be an Unknown target, refused at
      // ingest since issue 20).
      setup: async () => {
        await access.core.createNamespacedPersistentVolumeClaim({
          namespace: "production",
          body: {
            metadata: { name: "tls-certs" },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
          },
        });
      },
      labels: {
        alertname: "CertificateExpiringSoon",
        namespace: "production",
        persistentvolumeclaim: "tls-certs",
      },
      expected: {
        outcome: "ManualReviewRequired",
        analysis: { suggestion: expect.stringContaining("CertificateExpiringSoon") },
      },
    },
    {
      // Last: it cordons every node, which the cases before must not see.
      case: "stuck rollout (new pods cannot be scheduled) → rollback, cautious",
      setup: async () => {
        await deploy("search", "shop/search:1.0.0")();
        for (const node of ["worker-1", "worker-2"])
          await access.patch(
            { kind: "Node", name: node },
            { strategy: "strategic", body: { spec: { unschedulable: true } } },
          );
        await access.patch(
          { kind: "Deployment", name: "search", namespace: "staging" },
          {
            strategy: "strategic",
            body: {
              spec: { template: { spec: { containers: [{ name: "app", image: "shop/search:1.1.0" }] } } },
            },
          },
        );
      },
      labels: { alertname: "KubeDeploymentRolloutStuck", namespace: "staging", deployment: "search" },
      expected: {
        outcome: "DryRun",
        analysis: {
          workflowId: "crashloop-rollback-v1",
          confidence: 0.7,
          parameters: { toRevision: 1 },
          rootCause: expect.stringMatching(/^the rollout of revision 2 is stuck/),
        },
      },
    },
  ])("$case", async ({ setup, labels, expected }) => {
    await setup();
    const rr = await analyse(labels);
    expect(rr).toMatchObject(expected);
  });
});
