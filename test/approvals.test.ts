import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { serve } from "@hono/node-server";
import { deliverPendingDecisions } from "@kubernaut/approvals";
import { main } from "@kubernaut/cli";
import { sha256Hex } from "@kubernaut/config";
import { isTerminal } from "@kubernaut/core";
import { sourcePath } from "@kubernaut/policy";
import { approvalIdFor } from "@kubernaut/store";
import { afterEach, describe, expect, it } from "vitest";
import { webhook } from "./support/alerts";
import { createPipelineHarness, type PipelineHarness } from "./support/pipeline";
import { ADMIN_TOKEN, VIEWER_TOKEN } from "./support/store";

const STAGING_APPROVER = "staging-approver-token";
const PROD_APPROVER = "prod-approver-token";
const sha = sha256Hex;

const crashLoop = (namespace: string, name = "checkout") =>
  webhook([{ labels: { alertname: "PodCrashLooping", severity: "critical", namespace, deployment: name } }]);

const harnesses: PipelineHarness[] = [];
async function harness(policy: string | undefined = sourcePath("starter")) {
  const h = await createPipelineHarness({
    // Without a cluster the namespaces' labels are unknown: their names say the environment.
    signalProcessing: { environmentFromNamespaceName: true },
    aianalysis: { rego: { ...(policy ? { policy } : {}), confidenceThreshold: 0.6 } },
    auth: {
      apiTokens: [
        {
          name: "ops-staging",
          role: "approver",
          sha256: sha(STAGING_APPROVER),
          scopes: [{ environments: ["Staging"] }],
        },
        {
          name: "ops-prod",
          role: "approver",
          sha256: sha(PROD_APPROVER),
          scopes: [{ environments: ["Production"] }],
        },
      ],
    },
  });
  harnesses.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.pipeline.close()));
});

async function awaitingApproval(h: PipelineHarness, body: unknown) {
  const [created] = await h.postAlerts(body);
  const id = created?.remediationId as string;
  await h.waitFor(id, (rr) => rr.phase === "AwaitingApproval");
  return { id, rarId: approvalIdFor(id) };
}

function decide(h: PipelineHarness, rarId: string, token: string, body: unknown) {
  return h.app.request(`/api/v1/approvals/${rarId}/decision`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("approvals with the starter policy", () => {
  it("staging auto-approves (no request); production waits for approval with the policy's reason and hash", async () => {
    const h = await harness();
    const [staging] = await h.postAlerts(crashLoop("staging"));
    const auto = await h.waitFor(staging?.remediationId as string, (rr) => isTerminal(rr.phase));
    expect(auto.policyDecision).toMatchObject({
      requireApproval: false,
      degraded: false,
      reason: "auto-approved: non-production target with high confidence",
    });
    expect(await h.approvals.get(approvalIdFor(auto.id))).toBeUndefined();

    const { rarId } = await awaitingApproval(h, crashLoop("production"));
    const list = await h.app.request("/api/v1/approvals?decision=pending", {
      headers: { authorization: `Bearer ${VIEWER_TOKEN}` },
    });
    const { items } = (await list.json()) as { items: Array<Record<string, unknown>> };
    expect(items).toEqual([
      expect.objectContaining({
        id: rarId,
        environment: "Production",
        reason: "production environment",
        degraded: false,
      }),
    ]);
    expect(items[0]).not.toHaveProperty("taskToken");
    expect(items[0]?.policyHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("approving through the API resumes the execution, audited with the decider", async () => {
    const h = await harness();
    const { id, rarId } = await awaitingApproval(h, crashLoop("production"));

    const response = await decide(h, rarId, PROD_APPROVER, { decision: "Approved", message: "go" });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      approval: { id: rarId, decision: "Approved", decidedBy: "ops-prod", decidedVia: "api" },
      delivered: true,
    });
    // It resumes to Execute, which refuses until the cluster issue lands.
    const rr = await h.waitFor(id, (r) => isTerminal(r.phase));
    expect(rr).toMatchObject({
      phase: "Failed",
      failurePhase: "Executing",
      approvalDecision: { decision: "Approved", decidedBy: "ops-prod" },
    });
    const decided = (await h.store.timeline(id))?.audit.find((e) => e.type === "ApprovalDecided");
    expect(decided).toMatchObject({
      actor: { type: "user", id: "ops-prod", channel: "api" },
      details: { decision: "Approved", message: "go" },
    });
  });

  it("rejecting ends the remediation Failed in Approval", async () => {
    const h = await harness();
    const { id, rarId } = await awaitingApproval(h, crashLoop("production"));
    expect((await decide(h, rarId, ADMIN_TOKEN, { decision: "Rejected", message: "not now" })).status).toBe(
      200,
    );
    expect(await h.waitFor(id, (r) => isTerminal(r.phase))).toMatchObject({
      phase: "Failed",
      failurePhase: "Approval",
      reason: "Rejected",
    });
  });

  it("50 concurrent decisions produce exactly one", async () => {
    const h = await harness();
    const { rarId } = await awaitingApproval(h, crashLoop("production"));
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        decide(h, rarId, ADMIN_TOKEN, { decision: i % 2 ? "Approved" : "Rejected", message: `decider ${i}` }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const loser = (await responses[statuses.indexOf(409)]?.json()) as { error: { message: string } };
    expect(loser.error.message).toMatch(/is already (Approved|Rejected) by local-admin/);
  });

  it("a decision by a token without approver scope, or by a viewer, is 403, and only a system audit event is written for each", async () => {
    const h = await harness();
    const { rarId } = await awaitingApproval(h, crashLoop("production"));
    const outOfScope = await decide(h, rarId, STAGING_APPROVER, { decision: "Approved" });
    expect(outOfScope.status).toBe(403);
    expect(((await outOfScope.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    const viewer = await decide(h, rarId, VIEWER_TOKEN, { decision: "Approved" });
    expect(viewer.status).toBe(403);
    expect(((await viewer.json()) as { error: { message: string } }).error.message).toBe(
      'token "viewer" has role viewer; this needs approver',
    );
    expect((await h.approvals.get(rarId))?.decision).toBeUndefined();
    const events = await h.systemAudit.day(new Date().toISOString().slice(0, 10));
    expect(events).toEqual([
      expect.objectContaining({
        type: "DecisionRefused",
        actor: expect.objectContaining({ id: "ops-staging" }),
      }),
      expect.objectContaining({
        type: "DecisionRefused",
        actor: expect.objectContaining({ id: "viewer", channel: "api" }),
        details: expect.objectContaining({ approvalRequestId: rarId, role: "viewer" }),
      }),
    ]);
  });

  it("a crash right after the decision write still resumes the execution (the outbox)", async () => {
    const h = await harness();
    const { id, rarId } = await awaitingApproval(h, crashLoop("production"));
    h.faults.crashNextDelivery = 1;

    const response = await decide(h, rarId, ADMIN_TOKEN, { decision: "Approved" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ delivered: false });
    expect((await h.store.get(id))?.phase).toBe("AwaitingApproval");

    expect(
      await deliverPendingDecisions({ store: h.store, approvals: h.approvals, sender: h.sender }),
    ).toEqual({ delivered: 1, failed: 0 });
    expect(await h.waitFor(id, (r) => isTerminal(r.phase))).toMatchObject({ failurePhase: "Executing" });
    expect(await h.approvals.undelivered()).toEqual([]);
  });

  it("a decision after requiredBy is 409 and records Expired", async () => {
    const h = await harness();
    const { rarId } = await awaitingApproval(h, crashLoop("production"));
    await h.db.send(
      new UpdateCommand({
        TableName: h.config.storage.tableName,
        Key: { pk: `RAR#${rarId}`, sk: "RAR" },
        UpdateExpression: "SET requiredBy = :past",
        ExpressionAttributeValues: { ":past": new Date(Date.now() - 1000).toISOString() },
      }),
    );
    const response = await decide(h, rarId, ADMIN_TOKEN, { decision: "Approved" });
    expect(response.status).toBe(409);
    expect((await h.approvals.get(rarId))?.decision).toBe("Expired");
  });

  describe("overrides", () => {
    it.each([
      [
        {
          workflowName: "increase-memory-limits-v1",
          parameters: { container: "app", memoryLimit: 1024 },
          rationale: "more",
        },
        "workflowOverride.parameters.memoryLimit: must be ≥ 16Mi",
      ],
      [
        {
          workflowName: "increase-memory-limits-v1",
          parameters: { container: "app", memoryLimit: "8Mi" },
          rationale: "more",
        },
        "workflowOverride.parameters.memoryLimit: must be ≥ 16Mi",
      ],
      [
        {
          workflowName: "increase-memory-limits-v1",
          parameters: { container: "app", memoryLimit: "600MB" },
          rationale: "more",
        },
        'workflowOverride.parameters.memoryLimit: "600MB" is not a Kubernetes quantity (e.g. 600Mi, 1Gi, 512M)',
      ],
      [
        {
          workflowName: "increase-memory-limits-v1",
          parameters: { memoryLimit: 268435456 },
          rationale: "more",
        },
        "workflowOverride.parameters.container: required",
      ],
      [
        { workflowName: "no-such-workflow-v1", parameters: {}, rationale: "x" },
        "workflowOverride.workflowName: no workflow no-such-workflow-v1",
      ],
      [{ workflowName: "restart-pod-v1", parameters: {} }, "workflowOverride.rationale:"],
    ])("an invalid override is refused naming the field (%#)", async (override, message) => {
      const h = await harness();
      const { rarId } = await awaitingApproval(h, crashLoop("production"));
      const response = await decide(h, rarId, ADMIN_TOKEN, {
        decision: "Approved",
        workflowOverride: override,
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain(message);
      expect((await h.approvals.get(rarId))?.decision).toBeUndefined();
    });

    it("an override is only allowed with Approved", async () => {
      const h = await harness();
      const { rarId } = await awaitingApproval(h, crashLoop("production"));
      const response = await decide(h, rarId, ADMIN_TOKEN, {
        decision: "Rejected",
        workflowOverride: { workflowName: "restart-pod-v1", parameters: {}, rationale: "x" },
      });
      expect(response.status).toBe(400);
    });

    it("a policy deny refuses the override with the policy's reason", async () => {
      const dir = mkdtempSync(join(tmpdir(), "kubernaut-deny-"));
      const policy = join(dir, "deny-overrides.rego");
      writeFileSync(
        policy,
        'package aianalysis.approval\n\ndefault require_approval := true\n\ndeny if input.override.workflowName == "restart-pod-v1"\n\nreason := "restarts may not be forced by override" if deny\n',
      );
      const h = await harness(policy);
      const { rarId } = await awaitingApproval(h, crashLoop("production"));
      const response = await decide(h, rarId, ADMIN_TOKEN, {
        decision: "Approved",
        workflowOverride: {
          workflowName: "restart-pod-v1",
          parameters: { mode: "rolloutRestart" },
          rationale: "kick it",
        },
      });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({
        error: {
          code: "policy_denied",
          message: "the policy refuses this override: restarts may not be forced by override",
        },
      });
    });

    it("a quantity typed as 768Mi is accepted and stored as its exact number of bytes", async () => {
      const h = await harness();
      const { rarId } = await awaitingApproval(h, crashLoop("production"));
      const response = await decide(h, rarId, PROD_APPROVER, {
        decision: "Approved",
        workflowOverride: {
          workflowName: "increase-memory-limits-v1",
          parameters: { container: "app", memoryLimit: "768Mi" },
          rationale: "it is memory, not the rollout",
        },
      });
      expect(response.status).toBe(200);
      expect((await h.approvals.get(rarId))?.override?.parameters).toEqual({
        container: "app",
        memoryLimit: 805_306_368,
      });
    });

    it("a valid override is approved and audited with proposed and approved parameters side by side", async () => {
      const h = await harness();
      const { id, rarId } = await awaitingApproval(h, crashLoop("production"));
      const response = await decide(h, rarId, PROD_APPROVER, {
        decision: "Approved",
        workflowOverride: {
          workflowName: "restart-pod-v1",
          parameters: { mode: "rolloutRestart" },
          rationale: "a rollback is too much",
        },
      });
      expect(response.status).toBe(200);
      await h.waitFor(id, (r) => isTerminal(r.phase));
      const decided = (await h.store.timeline(id))?.audit.find((e) => e.type === "ApprovalDecided");
      expect(decided?.details).toMatchObject({
        proposed: { workflowId: "crashloop-rollback-v1", parameters: { toRevision: 0 } },
        approved: { workflowId: "restart-pod-v1", parameters: { mode: "rolloutRestart" } },
        rationale: "a rollback is too much",
      });
    });
  });

  it("a broken policy file yields degraded, approval-required decisions", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kubernaut-broken-"));
    const policy = join(dir, "broken.rego");
    writeFileSync(policy, "package aianalysis.approval\nrequire_approval := false if {\n");
    const h = await harness(policy);
    const { id } = await awaitingApproval(h, crashLoop("staging"));
    expect((await h.store.get(id))?.policyDecision).toMatchObject({
      requireApproval: true,
      degraded: true,
      reason: expect.stringMatching(/does not compile/),
    });
    // The compiler's own words, with file and line (OPA prints them on stdout).
    expect((await h.store.get(id))?.policyDecision?.reason).toContain(
      `${policy}:3: rego_parse_error: unexpected eof token`,
    );
  });
});

describe("the kubernaut CLI against the HTTP API", () => {
  it("lists, approves and verifies the audit trail; flags an edited event", async () => {
    const h = await harness();
    const { id, rarId } = await awaitingApproval(h, crashLoop("production"));
    const server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((resolve) => server.once("listening", resolve));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    const run = async (...args: string[]) => {
      const lines: string[] = [];
      const code = await main([...args, "--url", url, "--token", ADMIN_TOKEN], (l) => lines.push(l));
      return { code, text: lines.join("\n") };
    };
    try {
      expect(await run("approvals", "list")).toMatchObject({ code: 0, text: expect.stringContaining(rarId) });
      expect(await run("approvals", "approve", rarId)).toEqual({
        code: 0,
        text: `${rarId}: Approved; the remediation resumes`,
      });
      await h.waitFor(id, (r) => isTerminal(r.phase));
      await h.pipeline.engine.idle();
      const decided = (await h.store.timeline(id))?.audit.find((e) => e.type === "ApprovalDecided");
      expect(decided?.actor).toMatchObject({ channel: "cli" });

      expect(await run("audit", "verify", id)).toMatchObject({
        code: 0,
        text: expect.stringContaining("chain intact"),
      });
      // Someone edits an audit event in the table behind the API's back.
      await h.db.send(
        new UpdateCommand({
          TableName: h.config.storage.tableName,
          Key: { pk: `RR#${id}`, sk: "AUDIT#0000000002" },
          UpdateExpression: "SET #t = :t",
          ExpressionAttributeNames: { "#t": "type" },
          ExpressionAttributeValues: { ":t": "NothingToSeeHere" },
        }),
      );
      expect(await run("audit", "verify", id)).toEqual({
        code: 1,
        text: `${id}: audit chain BROKEN at event 2: content does not match its hash`,
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
