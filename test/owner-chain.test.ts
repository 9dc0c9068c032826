import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ClusterSimulator } from "@kubernaut/cluster/simulator";
import { fingerprintOf, isTerminal } from "@kubernaut/core";
import { afterEach, describe, expect, it } from "vitest";
import { webhook } from "./support/alerts";
import { createPipelineHarness } from "./support/pipeline";

// DESIGN §3.1: a pod-only alert is attributed from the pod's name at ingest and verified from its
// controller references once the cluster can be read.
const SCENARIO = readFileSync(join(import.meta.dirname, "..", "scenarios", "demo.yaml"), "utf8");
let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

async function withDaemonSet() {
  const simulator = new ClusterSimulator();
  simulator.loadScenario(SCENARIO);
  simulator.apply({
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "log-shipper", namespace: "staging" },
    spec: {
      selector: { matchLabels: { app: "log-shipper" } },
      template: {
        metadata: { labels: { app: "log-shipper" } },
        spec: { containers: [{ name: "shipper", image: "shipper:1" }] },
      },
    },
  });
  const pod = simulator.store.list("Pod", "staging").find((p) => p.metadata.name.startsWith("log-shipper-"));
  if (!pod) throw new Error("the simulator did not create a log-shipper pod");
  const server = await simulator.listen();
  const h = await createPipelineHarness(
    { remediationOrchestrator: { dryRun: true } },
    { clusterUrl: server.url },
  );
  closers.push(server.close, () => h.pipeline.close());
  const podAlert = webhook([
    {
      labels: {
        alertname: "KubePodCrashLooping",
        severity: "critical",
        namespace: "staging",
        pod: pod.metadata.name,
      },
    },
  ]);
  return { h, pod: pod.metadata.name as string, podAlert };
}

const daemonSet = { kind: "DaemonSet", name: "log-shipper", namespace: "staging" };

describe("owner-chain verification", () => {
  it("moves a pod-only alert to the workload that owns the pod, with an audit event", async () => {
    const { h, pod, podAlert } = await withDaemonSet();
    const [accepted] = await h.postAlerts(podAlert);
    // Ingest could only say "this pod": a DaemonSet pod's name does not name its controller.
    expect(accepted).toMatchObject({ status: "created" });
    // (the inferred target is the pod; see the TargetVerified event below)

    const rr = await h.waitFor(accepted?.remediationId as string, (r) => isTerminal(r.phase));
    expect(rr.targetResource).toEqual(daemonSet);
    expect(rr.fingerprint).toBe(fingerprintOf(daemonSet));
    expect(rr).toMatchObject({ phase: "Completed", outcome: "DryRun" });
    const { audit } = (await h.store.timeline(rr.id)) ?? { audit: [] };
    expect(audit.find((e) => e.type === "TargetVerified")?.details).toMatchObject({
      inferred: { kind: "Pod", name: pod },
      verified: daemonSet,
    });
    // The next alert for the DaemonSet itself meets the verified remediation's hold, not a fresh start.
    const [again] = await h.postAlerts(
      webhook([
        {
          labels: {
            alertname: "KubePodCrashLooping",
            severity: "critical",
            namespace: "staging",
            daemonset: "log-shipper",
          },
        },
      ]),
    );
    expect(again).toMatchObject({ status: "held", remediationId: rr.id });
  });

  it("merges into the workload's existing remediation instead of acting twice", async () => {
    const { h, podAlert } = await withDaemonSet();
    const [first] = await h.postAlerts(
      webhook([
        {
          labels: {
            alertname: "KubePodCrashLooping",
            severity: "critical",
            namespace: "staging",
            daemonset: "log-shipper",
          },
        },
      ]),
    );
    const original = await h.waitFor(first?.remediationId as string, (r) => isTerminal(r.phase));
    expect(original).toMatchObject({ outcome: "DryRun" });

    const [second] = await h.postAlerts(podAlert);
    expect(second).toMatchObject({ status: "created" });
    expect(second?.remediationId).not.toBe(original.id);
    const merged = await h.waitFor(second?.remediationId as string, (r) => isTerminal(r.phase));
    expect(merged).toMatchObject({
      phase: "Cancelled",
      reason: expect.stringMatching(/^MergedInto: hold on .*DaemonSet\/log-shipper/),
    });
    expect(merged.analysis).toBeUndefined();
  });
});
