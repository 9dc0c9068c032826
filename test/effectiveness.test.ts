import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ClusterAccess, kubeConfigFor } from "@kubernaut/cluster";
import { ClusterSimulator } from "@kubernaut/cluster/simulator";
import {
  type AssessDeps,
  assessDue,
  notifyAssessed,
  startObservabilityStandIns,
} from "@kubernaut/effectiveness";
import { sourcePath } from "@kubernaut/policy";
import { AssessmentStore, TrustStore } from "@kubernaut/store";
import { afterEach, describe, expect, it } from "vitest";
import { webhook } from "./support/alerts";
import { createPipelineHarness, type PipelineHarness } from "./support/pipeline";

const SCENARIO = readFileSync(join(import.meta.dirname, "..", "scenarios", "demo.yaml"), "utf8");
let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

async function setUp(observability: { alertmanager?: boolean; prometheus?: boolean } = {}) {
  const standIns = await startObservabilityStandIns();
  const simulator = new ClusterSimulator();
  simulator.loadScenario(SCENARIO);
  simulator.setBehaviour({ images: { "shop/checkout:1.5.0-bad": { crash: true } }, readyAfterMs: 0 });
  const server = await simulator.listen();
  const h = await createPipelineHarness(
    {
      remediationOrchestrator: { dryRun: false },
      aianalysis: { rego: { policy: sourcePath("starter") } },
      effectivenessMonitor: {
        ...(observability.alertmanager ? { alertmanagerUrl: standIns.alertmanagerUrl } : {}),
        ...(observability.prometheus ? { prometheusUrl: standIns.prometheusUrl } : {}),
      },
    },
    {
      clusterUrl: server.url,
      tune: (config) => Object.assign(config.effectivenessMonitor, { stabilizationWindow: 1 }),
    },
  );
  closers.push(standIns.close, server.close, () => h.pipeline.close());
  const access = new ClusterAccess(kubeConfigFor({ server: server.url }));
  const cluster = { access: () => access };
  const monitor = (
    now = new Date(),
    options: { withCluster?: boolean; notify?: AssessDeps["notify"] } = {},
  ) =>
    assessDue({
      config: () => h.config,
      store: h.store,
      assessments: h.deps.assessments,
      trust: h.deps.trust,
      ...(options.withCluster === false ? {} : { cluster }),
      ...(options.notify ? { notify: options.notify } : {}),
      now: () => now,
    });
  return { h, access, standIns, monitor, simulator };
}

const alert = (status: "firing" | "resolved" = "firing") =>
  webhook(
    [
      {
        labels: {
          alertname: "KubePodCrashLooping",
          severity: "critical",
          namespace: "staging",
          deployment: "checkout",
        },
        status,
      },
    ],
    status,
  );

async function remediated(h: PipelineHarness, access: ClusterAccess) {
  await access.patch(
    { kind: "Deployment", name: "checkout", namespace: "staging" },
    {
      strategy: "strategic",
      body: {
        spec: { template: { spec: { containers: [{ name: "app", image: "shop/checkout:1.5.0-bad" }] } } },
      },
    },
  );
  const [created] = await h.postAlerts(alert());
  const id = created?.remediationId as string;
  await h.waitFor(id, (r) => r.phase === "Verifying");
  await h.pipeline.engine.idle();
  return id;
}

describe("the effectiveness monitor", () => {
  it("scores health and the resolved alert; without Prometheus, metrics are not assessed (not zero)", async () => {
    const { h, access, monitor } = await setUp();
    const id = await remediated(h, access);
    await h.postAlerts(alert("resolved"));

    const run = await monitor();

    expect(run.processed).toEqual([id]);
    const rr = await h.store.get(id);
    expect(rr).toMatchObject({
      phase: "Completed",
      outcome: "Remediated",
      reason: "effectiveness 1.00, health and alert only: no metrics source configured",
      effectiveness: {
        score: 1,
        reason: "Full",
        completeness: "health and alert only: no metrics source configured",
        components: { health: 1, alert: 1 },
        details: {
          health: "all 2 pods ready, no restarts",
          alert: "resolved notification received",
          metrics: "not assessed: no Prometheus configured",
        },
      },
    });
    expect(rr?.effectiveness?.components).not.toHaveProperty("metrics");
    expect((await h.deps.trust.get("crashloop-rollback-v1", "approve")).stats).toMatchObject({
      remediations: 1,
      assessed: 1,
      full: 1,
      scoreSum: 1,
    });
    // The fingerprint is released once the assessment finishes.
    const [next] = await h.postAlerts(alert());
    expect(next?.status).toBe("created");
  });

  it("a 1.00 from health alone is a full assessment of what is configured, and reads as a success", async () => {
    const { h, access, monitor } = await setUp();
    const id = await remediated(h, access);
    const messages: Array<{ subject: string; body: string }> = [];

    // No Alertmanager, no Prometheus, and the alert's resolved notification has not come (yet).
    await monitor(new Date(), {
      notify: (remediationId) =>
        notifyAssessed(
          h.store,
          { notify: async ({ subject, body }) => void messages.push({ subject, body }) },
          remediationId,
        ),
    });

    expect(await h.store.get(id)).toMatchObject({
      outcome: "Remediated",
      reason: "effectiveness 1.00, health only: no alert or metrics source configured",
      effectiveness: {
        score: 1,
        reason: "Full",
        completeness: "health only: no alert or metrics source configured",
        components: { health: 1 },
      },
    });
    expect(messages).toEqual([
      {
        subject:
          "Remediated: Deployment/checkout (effectiveness 1.00, health only: no alert or metrics source configured)",
        body: [
          "crashloop-rollback-v1 on Deployment/checkout: effectiveness 1.00, health only: no alert or metrics source configured.",
          "health 1.00: all 2 pods ready, no restarts; alert not assessed: no Alertmanager configured and no resolved notification received; metrics not assessed: no Prometheus configured.",
          "Assessment: Full.",
        ].join("\n"),
      },
    ]);
  });

  it("with nothing to assess there is no score (not 0): Inconclusive, in words, and not held against the workflow", async () => {
    const { h, access, monitor } = await setUp();
    const id = await remediated(h, access);
    const before = (await h.deps.trust.get("crashloop-rollback-v1", "approve")).stats;

    await monitor(new Date(), { withCluster: false });

    const rr = await h.store.get(id);
    expect(rr).toMatchObject({
      phase: "Completed",
      outcome: "Inconclusive",
      reason: "effectiveness not scored, nothing assessed: no health, alert or metrics source configured",
      effectiveness: {
        score: null,
        reason: "Expired",
        completeness: "nothing assessed: no health, alert or metrics source configured",
        components: {},
        details: {
          health: "not assessed: no cluster access",
          alert: "not assessed: no Alertmanager configured and no resolved notification received",
          metrics: "not assessed: no Prometheus configured",
        },
      },
    });
    const after = (await h.deps.trust.get("crashloop-rollback-v1", "approve")).stats;
    expect(after).toEqual(before);
  });

  it.each([
    {
      case: "a crash loop after an OOMKill",
      disturb: (simulator: ClusterSimulator) =>
        simulator.setBehaviour({ memoryDemand: { "staging/checkout/app": "1Gi" }, readyAfterMs: 0 }),
      details: /^CrashLoopBackOff detected \(0\/2 pods ready, \d+ restarts\)$/,
    },
    {
      case: "0 of 2 pods ready",
      disturb: (simulator: ClusterSimulator) => simulator.setBehaviour({ readyAfterMs: 3_600_000 }),
      details: /^0\/2 pods ready$/,
    },
    {
      case: "all pods pending (their nodes went NotReady)",
      disturb: (simulator: ClusterSimulator) => {
        for (const node of simulator.store.list("Node"))
          simulator.store.update(
            { ...node, status: { conditions: [{ type: "Ready", status: "False" }] } },
            { status: true },
          );
      },
      details: /^0\/2 pods ready \(2 pending\)$/,
    },
  ])(
    "strict health: $case scores 0, and the resolved alert alone does not make it Remediated",
    async ({ disturb, details }) => {
      const { h, access, monitor, simulator } = await setUp();
      const id = await remediated(h, access);
      disturb(simulator);
      await h.postAlerts(alert("resolved"));

      await monitor();

      expect(await h.store.get(id)).toMatchObject({
        outcome: "Inconclusive",
        // 0.35 / 0.75: the alert's weight spread over the two assessed components.
        effectiveness: { score: 0.467, components: { health: 0, alert: 1 } },
      });
      expect((await h.store.get(id))?.effectiveness?.details?.health).toMatch(details);
    },
  );

  it("scores metrics from Prometheus: restarts before vs after", async () => {
    const { h, access, standIns, monitor } = await setUp({ prometheus: true });
    const id = await remediated(h, access);
    const executedAt = Date.parse((await h.store.get(id))?.workflowExecution?.appliedAt as string) / 1000;
    // Six restarts in the window before the remediation, none in the window after it.
    standIns.setSeries("kube_pod_container_status_restarts_total", (t) => (t <= executedAt + 1 ? 6 : 0));
    await h.postAlerts(alert("resolved"));
    await monitor(new Date(Date.now() + 60_000));
    expect((await h.store.get(id))?.effectiveness).toMatchObject({
      score: 1,
      reason: "Full",
      completeness: "complete: health, alert and metrics",
      components: { health: 1, alert: 1, metrics: 1 },
    });
  });

  it("spec drift after the remediation voids the score", async () => {
    const { h, access, monitor } = await setUp();
    const id = await remediated(h, access);
    await access.patch(
      { kind: "Deployment", name: "checkout", namespace: "staging" },
      {
        strategy: "strategic",
        body: {
          spec: {
            template: { spec: { containers: [{ name: "app", env: [{ name: "FLAG", value: "1" }] }] } },
          },
        },
      },
    );
    await monitor();
    expect(await h.store.get(id)).toMatchObject({
      outcome: "Inconclusive",
      effectiveness: { score: 0, reason: "SpecDrift" },
    });
  });

  it("a still-firing alert is re-checked (alert decay) and then times out", async () => {
    const { h, access, standIns, monitor } = await setUp({ alertmanager: true });
    standIns.fire({ alertname: "KubePodCrashLooping", namespace: "staging", deployment: "checkout" });
    const id = await remediated(h, access);

    const first = await monitor();
    expect(first.rescheduled).toEqual([id]);
    expect((await h.store.get(id))?.phase).toBe("Verifying");
    await monitor(new Date(Date.now() + 60_000));
    const last = await monitor(new Date(Date.now() + 120_000));
    expect(last.processed).toEqual([id]);
    expect((await h.store.get(id))?.effectiveness).toMatchObject({
      reason: "AlertDecayTimeout",
      components: { health: 1, alert: 0 },
    });
  });

  it("1,000 due assessments are processed by overlapping runs, none twice", async () => {
    const { h } = await setUp();
    const assessments = new AssessmentStore(h.db, h.config.storage.tableName);
    const due = new Date(Date.now() - 1000).toISOString();
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          assessments.schedule({
            remediationId: `rr-bulk-${batch * 50 + i}`,
            fingerprint: "f",
            workflowId: "restart-pod-v1",
            target: { kind: "Deployment", name: `w${batch * 50 + i}`, namespace: "bulk" },
            alertName: "Test",
            executedAt: due,
            dueAt: due,
          }),
        ),
      );
    }
    const deps = {
      config: () => h.config,
      store: h.store,
      assessments,
      trust: new TrustStore(h.db, h.config.storage.tableName),
    };
    const [a, b] = await Promise.all([assessDue(deps), assessDue(deps)]);
    const all = [...a.processed, ...b.processed];
    expect(all).toHaveLength(1000);
    expect(new Set(all).size).toBe(1000);
    expect((await assessDue(deps)).due).toBe(0);
  });
});
