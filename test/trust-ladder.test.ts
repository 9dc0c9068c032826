import { deliverPendingDecisions } from "@kubernaut/approvals";
import { isTerminal } from "@kubernaut/core";
import { assessDue } from "@kubernaut/effectiveness";
import { sourcePath } from "@kubernaut/policy";
import { approvalIdFor } from "@kubernaut/store";
import { afterEach, describe, expect, it } from "vitest";
import { webhook } from "./support/alerts";
import { badRollout, simulatedCluster } from "./support/cluster";
import { apiRequest, createPipelineHarness, type PipelineHarness } from "./support/pipeline";
import { VIEWER_TOKEN } from "./support/store";

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

/** Level 2 on: new workflows start at `observe`; the starter policy decides the rest. */
async function setUp() {
  const cluster = await simulatedCluster({ images: { "shop/checkout:1.5.0-bad": { crash: true } } });
  const h = await createPipelineHarness(
    {
      remediationOrchestrator: { dryRun: false, newWorkflowsDryRun: true },
      aianalysis: { rego: { policy: sourcePath("starter") } },
    },
    { clusterUrl: cluster.url },
  );
  closers.push(cluster.close, () => h.pipeline.close());
  return { simulator: cluster.simulator, h, access: cluster.access };
}

const request = apiRequest;

async function remediate(h: PipelineHarness, namespace: string, alertname = "KubePodCrashLooping") {
  const [created] = await h.postAlerts(
    webhook([{ labels: { alertname, severity: "critical", namespace, deployment: "checkout" } }]),
  );
  return h.waitFor(
    created?.remediationId as string,
    (r) => r.phase === "Verifying" || r.phase === "AwaitingApproval" || isTerminal(r.phase),
  );
}

describe("the trust ladder", () => {
  it("Level 2: a new workflow runs dry until graduated; graduating it in one namespace lets it run there", async () => {
    const { h, access } = await setUp();
    await badRollout(access, "staging");

    const dry = await remediate(h, "staging");
    expect(dry).toMatchObject({
      phase: "Completed",
      outcome: "DryRun",
      wouldHaveDone: { workflowId: "crashloop-rollback-v1" },
    });

    const graduate = await request(h, "PATCH", "/api/v1/workflows/crashloop-rollback-v1/trust", {
      level: "automate",
      namespaces: ["production"],
      reason: "10 Full assessments in staging",
    });
    expect(graduate.status).toBe(200);
    expect(await graduate.json()).toEqual({
      workflowId: "crashloop-rollback-v1",
      level: "observe",
      namespaces: { production: "automate" },
    });

    // In production the graduated workflow runs without approval: the policy sees workflow_trust_level automate.
    await badRollout(access, "production");
    const ran = await remediate(h, "production");
    expect(ran.phase).toBe("Verifying");
    expect(ran.policyDecision).toMatchObject({
      requireApproval: false,
      reason: "auto-approved: workflow graduated to automate",
    });

    const events = await h.systemAudit.day(new Date().toISOString().slice(0, 10));
    expect(events.at(-1)).toMatchObject({
      type: "TrustChanged",
      actor: { id: "local-admin" },
      details: {
        workflowId: "crashloop-rollback-v1",
        reason: "10 Full assessments in staging",
        to: { namespaces: { production: "automate" } },
      },
    });
  });

  it("GET /api/v1/workflows shows each workflow's level; trust changes are admin-only and validated", async () => {
    const { h } = await setUp();
    const list = (await (await request(h, "GET", "/api/v1/workflows", undefined, VIEWER_TOKEN)).json()) as {
      items: Array<{ id: string; trust: { level: string } }>;
    };
    expect(list.items).toHaveLength(7);
    expect(list.items.every((w) => w.trust.level === "observe")).toBe(true);
    expect(
      (
        await request(
          h,
          "PATCH",
          "/api/v1/workflows/restart-pod-v1/trust",
          { level: "automate", reason: "x" },
          VIEWER_TOKEN,
        )
      ).status,
    ).toBe(403);
    const invalid = await request(h, "PATCH", "/api/v1/workflows/restart-pod-v1/trust", {
      level: "yolo",
      reason: "x",
    });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { message: string } }).error.message).toContain("level:");
    expect(
      (await request(h, "PATCH", "/api/v1/workflows/nope-v1/trust", { level: "approve", reason: "x" }))
        .status,
    ).toBe(404);
  });

  it("the kill switch stops execution at once; paused remediations end Blocked with reason Paused", async () => {
    const { h, access, simulator } = await setUp();
    await request(h, "PATCH", "/api/v1/workflows/crashloop-rollback-v1/trust", {
      level: "automate",
      reason: "trusted",
    });
    const paused = await request(h, "PUT", "/api/v1/pause", { reason: "incident freeze" });
    expect(await paused.json()).toMatchObject({ paused: true, by: "local-admin", reason: "incident freeze" });
    await badRollout(access, "staging");
    const patches = simulator.requests.filter((r) => r.verb === "patch").length;

    const blocked = await remediate(h, "staging");

    expect(blocked).toMatchObject({
      phase: "Blocked",
      reason: expect.stringMatching(/^Paused: execution is paused by local-admin/),
    });
    expect(simulator.requests.filter((r) => r.verb === "patch").length).toBe(patches);
    expect(await (await request(h, "DELETE", "/api/v1/pause")).json()).toMatchObject({ paused: false });
  });
});

describe("overrides and Level 2", () => {
  /** crashloop-rollback-v1 trusted to run with approval; everything else (restart-pod-v1) still at observe. */
  async function awaitingApprovalInProduction() {
    const env = await setUp();
    await request(env.h, "PATCH", "/api/v1/workflows/crashloop-rollback-v1/trust", {
      level: "approve",
      reason: "reviewed its dry runs",
    });
    await badRollout(env.access, "production");
    const rr = await remediate(env.h, "production");
    expect(rr.phase).toBe("AwaitingApproval");
    return { ...env, rr, rarId: approvalIdFor(rr.id) };
  }
  const toRestart = {
    workflowName: "restart-pod-v1",
    parameters: { mode: "deletePod" },
    rationale: "a restart is gentler",
  };

  it("an approver cannot use an override to run a workflow that is at observe: 409, nothing decided", async () => {
    const { h, rarId } = await awaitingApprovalInProduction();

    const response = await request(h, "POST", `/api/v1/approvals/${rarId}/decision`, {
      decision: "Approved",
      workflowOverride: toRestart,
    });

    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({
      error: {
        code: "conflict",
        message:
          "workflow restart-pod-v1 is at trust level observe in production: an override cannot execute it; graduate it first (PATCH /api/v1/workflows/restart-pod-v1/trust)",
      },
    });
    expect((await h.approvals.get(rarId))?.decision).toBeUndefined();
  });

  it("an override to an observe workflow that reaches the pipeline anyway ends DryRun with what it would have done; nothing changes", async () => {
    // Arrange: the decision is recorded by a door that cannot read trust levels (it goes straight to the
    // approval request), then delivered by the outbox.
    const { h, rr, rarId, simulator } = await awaitingApprovalInProduction();
    const writes = () => simulator.requests.filter((r) => r.verb !== "get" && r.verb !== "list").length;
    const before = writes();
    await h.approvals.decide(rarId, {
      decision: "Approved",
      decidedBy: "ops",
      decidedVia: "api",
      at: new Date(),
      override: toRestart,
    });

    // Act
    await deliverPendingDecisions({ store: h.store, approvals: h.approvals, sender: h.sender });
    const done = await h.waitFor(rr.id, (r) => isTerminal(r.phase));

    // Assess
    expect(done).toMatchObject({
      phase: "Completed",
      outcome: "DryRun",
      reason: "Level 2 (selective trust): restart-pod-v1 is at observe in production",
      wouldHaveDone: {
        workflowId: "restart-pod-v1",
        actionType: "RestartPod",
        parameters: { mode: "deletePod" },
        override: toRestart,
      },
    });
    expect(done.workflowExecution).toBeUndefined();
    expect(writes()).toBe(before);
  });

  it("an override to a workflow graduated in the target's namespace runs", async () => {
    const { h, rr, rarId } = await awaitingApprovalInProduction();
    await request(h, "PATCH", "/api/v1/workflows/restart-pod-v1/trust", {
      level: "approve",
      namespaces: ["production"],
      reason: "trusted there",
    });

    const response = await request(h, "POST", `/api/v1/approvals/${rarId}/decision`, {
      decision: "Approved",
      workflowOverride: toRestart,
    });

    expect(response.status).toBe(200);
    // (A restart does not heal a bad rollout, so the rollout never converges: what matters is that it ran.)
    const ran = await h.waitFor(
      rr.id,
      (r) => r.workflowExecution?.appliedAt !== undefined || isTerminal(r.phase),
    );
    expect(ran.workflowExecution).toMatchObject({
      workflowId: "restart-pod-v1",
      summary: expect.stringMatching(/^deleted pod checkout-/),
    });
  });
});

describe("routing guards", () => {
  it("the same workflow on the same target within 5 min is RecentlyRemediated: Blocked, held, and an operator's release lifts it", async () => {
    const { h, access } = await setUp();
    await request(h, "PATCH", "/api/v1/workflows/crashloop-rollback-v1/trust", {
      level: "automate",
      reason: "trusted",
    });
    await badRollout(access, "staging");
    const first = await remediate(h, "staging");
    expect(first.phase).toBe("Verifying");
    // The assessment finishes (resolved alert, healthy pods): the fingerprint is released …
    await h.postAlerts(
      webhook(
        [
          {
            labels: { alertname: "KubePodCrashLooping", namespace: "staging", deployment: "checkout" },
            status: "resolved",
          },
        ],
        "resolved",
      ),
    );
    h.config.effectivenessMonitor.stabilizationWindow = 1;
    await h.pipeline.engine.idle();
    await assessDue({
      config: () => h.config,
      store: h.store,
      assessments: h.deps.assessments,
      trust: h.deps.trust,
      now: () => new Date(Date.now() + 400_000),
    });
    expect((await h.store.get(first.id))?.phase).toBe("Completed");

    // … but it breaks again at once: the guard refuses to run the same fix twice within 5 minutes.
    await badRollout(access, "staging");
    const second = await remediate(h, "staging");
    expect(second).toMatchObject({
      phase: "Blocked",
      reason: expect.stringMatching(/^RecentlyRemediated: crashloop-rollback-v1 ran on this target at /),
    });
    const [held] = await h.postAlerts(
      webhook([
        { labels: { alertname: "KubePodCrashLooping", namespace: "staging", deployment: "checkout" } },
      ]),
    );
    expect(held).toMatchObject({ status: "held", reason: expect.stringMatching(/^blocked: /) });

    const released = await request(h, "POST", `/api/v1/fingerprints/${second.fingerprint}/release`, {
      reason: "fixed the config by hand",
    });
    expect(await released.json()).toEqual({ fingerprint: second.fingerprint, released: ["blocked"] });
    const [again] = await h.postAlerts(
      webhook([
        { labels: { alertname: "KubePodCrashLooping", namespace: "staging", deployment: "checkout" } },
      ]),
    );
    expect(again?.status).toBe("created");
    const events = await h.systemAudit.day(new Date().toISOString().slice(0, 10));
    expect(events.at(-1)).toMatchObject({
      type: "FingerprintReleased",
      details: { reason: "fixed the config by hand" },
    });
  });
});

describe("the graduation report", () => {
  it("GET /api/v1/graduation shows each workflow per namespace with its evidence and the PATCH that acts on it", async () => {
    const { h, access } = await setUp();
    for (let i = 0; i < 5; i++) {
      await badRollout(access, "staging");
      const dry = await remediate(h, "staging");
      expect(dry.outcome).toBe("DryRun");
      // Let the dry-run hold go, as an operator reviewing each result would.
      await request(h, "POST", `/api/v1/fingerprints/${dry.fingerprint}/release`, { reason: "reviewed" });
    }
    const { items } = (await (
      await request(h, "GET", "/api/v1/graduation", undefined, VIEWER_TOKEN)
    ).json()) as {
      items: Array<Record<string, unknown>>;
    };
    expect(items).toEqual([
      expect.objectContaining({
        workflowId: "crashloop-rollback-v1",
        namespace: "staging",
        level: "observe",
        dryRuns: 5,
        recommendation: "graduate",
        recommendedLevel: "approve",
        evidence: ["5 dry run(s) to review"],
        action: {
          method: "PATCH",
          path: "/api/v1/workflows/crashloop-rollback-v1/trust",
          body: {
            level: "approve",
            namespaces: ["staging"],
            reason: "graduation report: 5 dry run(s) to review",
          },
        },
      }),
    ]);
  });
});
