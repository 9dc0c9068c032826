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
  // The shipper's pods stay unready for the whole test, so the analysis finds something to do whatever
  // the machine's speed (the scenario's pods turn ready after 1.5 s).
  simulator.setBehaviour({ readyAfterMs: 600_000 });
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

// Issue 20: targets are resolved from the cluster, not guessed from names, and a target that does not
// exist is reported in words and never remediated.
describe("targets resolved from the cluster", () => {
  async function cluster(objects: Array<Record<string, unknown>> = []) {
    const simulator = new ClusterSimulator();
    simulator.loadScenario(SCENARIO);
    for (const object of objects) simulator.apply(object);
    const server = await simulator.listen();
    const h = await createPipelineHarness(
      { remediationOrchestrator: { dryRun: true } },
      { clusterUrl: server.url },
    );
    closers.push(server.close, () => h.pipeline.close());
    return { simulator, h };
  }
  const alert = (labels: Record<string, string>) =>
    webhook([{ labels: { alertname: "KubePodCrashLooping", severity: "critical", ...labels } }]);
  const bare = (name: string) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "staging", labels: { app: name } },
    spec: { containers: [{ name: "app", image: "shop/tool:1" }] },
  });

  it("two unrelated pods named like StatefulSet ordinals stay two targets, not one StatefulSet", async () => {
    const { h } = await cluster([bare("pod-1"), bare("pod-2")]);
    const answers = [
      ...(await h.postAlerts(alert({ namespace: "staging", pod: "pod-1" }))),
      ...(await h.postAlerts(alert({ namespace: "staging", pod: "pod-2" }))),
    ];
    expect(answers.map((a) => a.status)).toEqual(["created", "created"]);
    const ended = await Promise.all(
      answers.map((a) => h.waitFor(a.remediationId as string, (r) => isTerminal(r.phase))),
    );
    expect(ended.map((rr) => rr.targetResource)).toEqual([
      { kind: "Pod", name: "pod-1", namespace: "staging" },
      { kind: "Pod", name: "pod-2", namespace: "staging" },
    ]);
  });

  it("a StatefulSet's pod, named <name>-<ordinal>, is resolved to the StatefulSet through its owner", async () => {
    const { simulator, h } = await cluster();
    const pod = simulator.store.list("Pod", "production").find((p) => p.metadata.name.startsWith("ledger-"));
    const [answer] = await h.postAlerts(
      alert({ namespace: "production", pod: pod?.metadata.name as string }),
    );
    const rr = await h.waitFor(answer?.remediationId as string, (r) => isTerminal(r.phase));
    expect(rr.targetResource).toEqual({ kind: "StatefulSet", name: "ledger", namespace: "production" });
  });

  it("an alert for a pod that no longer exists, whose owner cannot be found, is dropped with the reason", async () => {
    const { h } = await cluster();
    const [answer] = await h.postAlerts(alert({ namespace: "staging", pod: "payment-api-789" }));
    const rr = await h.waitFor(answer?.remediationId as string, (r) => isTerminal(r.phase));
    expect(rr).toMatchObject({
      phase: "Cancelled",
      reason:
        "TargetNotFound: Pod staging/payment-api-789 no longer exists in the default cluster and no owner of it could be found",
    });
    expect(rr.analysis).toBeUndefined();
  });

  it("a Deployment that does not exist is named in words, never the client's dump, and nothing is remediated", async () => {
    const { h } = await cluster();
    const [answer] = await h.postAlerts(alert({ namespace: "staging", deployment: "ghost" }));
    const rr = await h.waitFor(answer?.remediationId as string, (r) => isTerminal(r.phase));
    expect(rr).toMatchObject({
      phase: "Cancelled",
      reason: "TargetNotFound: Deployment staging/ghost not found in the default cluster",
    });
    expect(JSON.stringify(await h.store.timeline(rr.id))).not.toMatch(
      /HTTP-Code|Unknown API Status Code|Headers:/,
    );
  });

  it("a namespace that does not exist is in nobody's managed scope", async () => {
    const { h } = await cluster();
    const [answer] = await h.postAlerts(alert({ namespace: "nowhere", deployment: "api" }));
    const rr = await h.waitFor(answer?.remediationId as string, (r) => isTerminal(r.phase));
    expect(rr).toMatchObject({
      phase: "Skipped",
      reason: "NotManaged: namespace nowhere does not exist in the default cluster",
    });
  });

  it("a ReplicaSet alert acts on the Deployment that owns it", async () => {
    const { simulator, h } = await cluster();
    const rs = simulator.store
      .list("ReplicaSet", "staging")
      .find((r) => r.metadata.name.startsWith("checkout-"));
    const [answer] = await h.postAlerts(
      alert({ namespace: "staging", replicaset: rs?.metadata.name as string }),
    );
    const rr = await h.waitFor(answer?.remediationId as string, (r) => isTerminal(r.phase));
    expect(rr.targetResource).toEqual({ kind: "Deployment", name: "checkout", namespace: "staging" });
  });
});
