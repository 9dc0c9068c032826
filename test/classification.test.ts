import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClusterSimulator } from "@kubernaut/cluster/simulator";
import { isTerminal } from "@kubernaut/core";
import { sourcePath } from "@kubernaut/policy";
import { afterEach, describe, expect, it } from "vitest";
import { webhook } from "./support/alerts";
import { createPipelineHarness } from "./support/pipeline";

const SCENARIO = readFileSync(join(import.meta.dirname, "..", "scenarios", "demo.yaml"), "utf8");
let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

describe("signal classification (Rego)", () => {
  it("an operator's edited classification policy changes the next remediation's environment without a restart", async () => {
    const policy = join(mkdtempSync(join(tmpdir(), "kubernaut-classification-")), "classification.rego");
    copyFileSync(sourcePath("classification"), policy);
    const h = await createPipelineHarness({
      remediationOrchestrator: { dryRun: true },
      // Without a cluster the namespaces' labels are unknown: their names say the environment.
      signalProcessing: { classificationPolicy: policy, environmentFromNamespaceName: true },
    });
    closers.push(() => h.pipeline.close());
    const alert = (name: string) =>
      webhook([
        {
          labels: {
            alertname: "KubePodCrashLooping",
            severity: "sev1",
            namespace: "shop-stage",
            deployment: name,
          },
        },
      ]);

    const [first] = await h.postAlerts(alert("a"));
    const before = await h.waitFor(first?.remediationId as string, (r) => isTerminal(r.phase));
    expect(before.enrichment).toMatchObject({
      environment: "Staging",
      environmentSource: "namespace name shop-stage",
      severity: "critical",
      priority: "P1",
    });

    // The operator decides "stage" namespaces are production-grade.
    writeFileSync(
      policy,
      readFileSync(policy, "utf8").replace('"stage": "Staging"', '"stage": "Production"'),
    );
    const [second] = await h.postAlerts(alert("b"));
    const after = await h.waitFor(second?.remediationId as string, (r) => isTerminal(r.phase));
    expect(after.enrichment).toMatchObject({ environment: "Production", priority: "P0" });
    expect(after.enrichment?.degraded).toBeUndefined();
  });

  it("a broken classification policy degrades to the built-in rules, says so, and fails closed: Skipped, not remediated", async () => {
    const policy = join(mkdtempSync(join(tmpdir(), "kubernaut-classification-")), "broken.rego");
    writeFileSync(policy, "package signalprocessing.classification\nenvironment := ");
    const h = await createPipelineHarness({
      remediationOrchestrator: { dryRun: true },
      // Without a cluster the namespaces' labels are unknown: their names say the environment.
      signalProcessing: { classificationPolicy: policy, environmentFromNamespaceName: true },
    });
    closers.push(() => h.pipeline.close());
    const [created] = await h.postAlerts(
      webhook([
        {
          labels: {
            alertname: "KubePodCrashLooping",
            severity: "critical",
            namespace: "production",
            deployment: "x",
          },
        },
      ]),
    );
    const rr = await h.waitFor(created?.remediationId as string, (r) => isTerminal(r.phase));
    expect(rr.enrichment).toMatchObject({
      environment: "Production",
      degraded: expect.stringMatching(/unusable/),
    });
    // The managed scope is a safety gate: a policy that cannot decide it means not managed.
    expect(rr).toMatchObject({
      phase: "Skipped",
      reason: expect.stringMatching(
        /^NotManaged: the managed scope could not be decided \(classification policy .* is unusable/,
      ),
    });
    expect(rr.analysis).toBeUndefined();
  });

  it("team, tier and business classification come from the workload and namespace labels; unmanaged targets are Skipped", async () => {
    const simulator = new ClusterSimulator();
    simulator.loadScenario(SCENARIO);
    simulator.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "sandbox", labels: {} } });
    simulator.apply({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "toy", namespace: "sandbox" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "toy" } },
        template: {
          metadata: { labels: { app: "toy" } },
          spec: { containers: [{ name: "c", image: "toy:1" }] },
        },
      },
    });
    const server = await simulator.listen();
    const h = await createPipelineHarness(
      { remediationOrchestrator: { dryRun: true } },
      { clusterUrl: server.url },
    );
    closers.push(server.close, () => h.pipeline.close());

    const [managed] = await h.postAlerts(
      webhook([
        {
          labels: {
            alertname: "KubePodCrashLooping",
            severity: "critical",
            namespace: "staging",
            deployment: "checkout",
          },
        },
      ]),
    );
    const rr = await h.waitFor(managed?.remediationId as string, (r) => isTerminal(r.phase));
    expect(rr.enrichment).toMatchObject({
      environment: "Staging",
      environmentSource: "namespace label kubernaut.ai/environment",
      customLabels: { team: "payments" },
    });

    const [unmanaged] = await h.postAlerts(
      webhook([
        {
          labels: {
            alertname: "KubePodCrashLooping",
            severity: "critical",
            namespace: "sandbox",
            deployment: "toy",
          },
        },
      ]),
    );
    const skipped = await h.waitFor(unmanaged?.remediationId as string, (r) => isTerminal(r.phase));
    expect(skipped).toMatchObject({ phase: "Skipped", reason: expect.stringMatching(/^NotManaged/) });
  });
});

// Issue 20: a Kubernaut user brings their signal-processing policy (its package and input shape); it
// loads and decides, or is refused at start-up naming why — never silently replaced by built-in rules.
describe("a Kubernaut-format signal-processing policy", () => {
  const KUBERNAUT_POLICY = join(import.meta.dirname, "fixtures", "kubernaut", "signalprocessing-policy.rego");

  it("classifies: environment, priority and severity from the policy, custom labels as lists", async () => {
    const simulator = new ClusterSimulator();
    simulator.loadScenario(SCENARIO);
    simulator.apply({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: "payments",
        labels: { env: "prod", "kubernaut.ai/team": "payments", "kubernaut.ai/managed": "true" },
      },
    });
    simulator.apply({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "ledger-api", namespace: "payments", labels: { app: "ledger-api" } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "ledger-api" } },
        template: {
          metadata: { labels: { app: "ledger-api" } },
          spec: { containers: [{ name: "app", image: "shop/ledger:1" }] },
        },
      },
    });
    const server = await simulator.listen();
    const h = await createPipelineHarness(
      {
        remediationOrchestrator: { dryRun: true },
        signalProcessing: { classificationPolicy: KUBERNAUT_POLICY },
      },
      { clusterUrl: server.url },
    );
    closers.push(server.close, () => h.pipeline.close());
    const [created] = await h.postAlerts(
      webhook([
        {
          labels: {
            alertname: "KubePodCrashLooping",
            severity: "critical",
            namespace: "payments",
            deployment: "ledger-api",
          },
        },
      ]),
    );
    const rr = await h.waitFor(created?.remediationId as string, (r) => isTerminal(r.phase));
    expect(rr.enrichment).toMatchObject({
      environment: "Production",
      environmentSource: "namespace-labels",
      severity: "critical",
      priority: "P0",
      customLabels: { team: ["payments"], tier: ["standard"] },
      businessClassification: { businessUnit: "payments", criticality: "high", slaRequirement: "gold" },
    });
    expect(rr.enrichment?.degraded).toBeUndefined();
    expect(rr.phase).not.toBe("Skipped");
  });

  it("a policy of another package is refused with what was expected", async () => {
    const policy = join(mkdtempSync(join(tmpdir(), "kubernaut-classification-")), "other.rego");
    writeFileSync(
      policy,
      'package signalprocessing.environment\n\nresult := {"environment": "production"}\n',
    );
    const { Classifier } = await import("@kubernaut/agent");
    const problem = await new Classifier(() => policy, 0).problem();
    expect(problem).toMatch(
      /declares package signalprocessing\.environment; a classification policy is package signalprocessing\.classification \(this project's\) or signalprocessing \(Kubernaut's unified policy/,
    );
  });
});
