import { createHmac } from "node:crypto";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { isTerminal } from "@kubernaut/core";
import { type SlackStandIn, startSlackStandIn } from "@kubernaut/notify";
import { sourcePath } from "@kubernaut/policy";
import { approvalIdFor } from "@kubernaut/store";
import { metrics } from "@kubernaut/telemetry";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { webhook } from "./support/alerts";
import { createPipelineHarness, type PipelineHarness } from "./support/pipeline";

const SIGNING_SECRET = "slack-signing-secret-for-tests-0001";
const TEAM = "T0KUBE";
const APP = "A0KUBE";
const PROD_APPROVER = "U0PROD";
const STAGING_APPROVER = "U0STAGING";
const GROUP_MEMBER = "U0ONCALL";

/** Signs a form body the way Slack does: v0=HMAC-SHA256(secret, "v0:<ts>:<body>"). */
function signed(payload: unknown, options: { secret?: string; at?: number } = {}) {
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const timestamp = String(options.at ?? Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac("sha256", options.secret ?? SIGNING_SECRET)
    .update(`v0:${timestamp}:${body}`)
    .digest("hex")}`;
  return {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": signature,
    },
    body,
  };
}

const click = (
  user: string,
  action: "approve" | "reject" | "approve_with_changes",
  rarId: string,
  team = TEAM,
) => ({
  type: "block_actions",
  team: { id: team },
  api_app_id: APP,
  user: { id: user },
  trigger_id: "1234.5678.abcd",
  channel: { id: "C0ONCALL" },
  actions: [{ action_id: action, value: rarId }],
});

describe("Slack approvals", () => {
  let slack: SlackStandIn;
  let h: PipelineHarness;

  beforeEach(async () => {
    slack = await startSlackStandIn();
    slack.setUserGroup("S0ONCALL", [GROUP_MEMBER]);
    h = await createPipelineHarness({
      // Without a cluster the namespaces' labels are unknown: their names say the environment.
      signalProcessing: { environmentFromNamespaceName: true },
      aianalysis: { rego: { policy: sourcePath("starter"), confidenceThreshold: 0.6 } },
      slack: {
        apiUrl: slack.apiUrl,
        botToken: "xoxb-test",
        signingSecret: SIGNING_SECRET,
        teamId: TEAM,
        appId: APP,
        approvers: [
          { users: [PROD_APPROVER], environments: ["Production"] },
          { users: [STAGING_APPROVER], environments: ["Staging"] },
          { userGroups: ["S0ONCALL"], environments: ["Production"] },
        ],
      },
      notification: {
        receivers: [
          { name: "log", type: "log" },
          { name: "oncall", type: "slack", channel: "C0ONCALL" },
        ],
        route: { receiver: "oncall" },
      },
    });
  });
  afterEach(async () => {
    await h.pipeline.close();
    await slack.close();
  });

  const post = (init: ReturnType<typeof signed>) => h.app.request("/api/v1/slack/interactions", init);
  const methodCalls = (method: string) => slack.calls.filter((c) => c.method === method);

  async function approvalMessage() {
    const [created] = await h.postAlerts(
      webhook([
        {
          labels: {
            alertname: "PodCrashLooping",
            severity: "critical",
            namespace: "production",
            deployment: "checkout",
          },
        },
      ]),
    );
    const id = created?.remediationId as string;
    await h.waitFor(id, (rr) => rr.phase === "AwaitingApproval");
    // The Approval notification reaches Slack through the notify state machine.
    for (let i = 0; i < 200 && methodCalls("chat.postMessage").length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    return { id, rarId: approvalIdFor(id) };
  }

  it("the approval message shows the request and carries only its id on the buttons", async () => {
    const { rarId } = await approvalMessage();
    const [post] = methodCalls("chat.postMessage");
    const text = JSON.stringify(post?.args);
    expect(post?.args.channel).toBe("C0ONCALL");
    expect(text).toContain("crashloop-rollback-v1");
    expect(text).toContain("Why: production environment");
    expect(text).toContain(`"value":"${rarId}"`);
    expect(text).not.toContain((await h.approvals.get(rarId))?.taskToken);
  });

  it("a correctly signed Approve click resumes the remediation and rewrites the message without buttons", async () => {
    const { id, rarId } = await approvalMessage();

    const response = await post(signed(click(PROD_APPROVER, "approve", rarId)));

    expect(response.status).toBe(200);
    const rr = await h.waitFor(id, (r) => isTerminal(r.phase));
    expect(rr.approvalDecision).toMatchObject({
      decision: "Approved",
      decidedBy: `slack:${PROD_APPROVER}`,
      decidedVia: "slack",
    });
    await h.pipeline.engine.idle();
    const [update] = methodCalls("chat.update");
    expect(update?.args.text).toBe(`Approved by slack:${PROD_APPROVER}: Deployment/checkout`);
    expect(JSON.stringify(update?.args.blocks)).not.toContain('"type":"actions"');
  });

  it("a member of an approver user group may approve", async () => {
    const { rarId } = await approvalMessage();
    expect((await post(signed(click(GROUP_MEMBER, "approve", rarId)))).status).toBe(200);
    expect((await h.approvals.get(rarId))?.decidedBy).toBe(`slack:${GROUP_MEMBER}`);
  });

  it.each([
    [
      "replayed after 5 minutes",
      () => ({ at: Math.floor(Date.now() / 1000) - 301 }),
      /replay window/,
      "replay_window",
    ],
    [
      "with a wrong signature",
      () => ({ secret: "not-the-signing-secret-000000000" }),
      /signature mismatch/,
      "signature_mismatch",
    ],
  ])("a click %s is refused (401), counted and written nowhere", async (_case, options, reason, code) => {
    // Arrange: anyone on the internet can send these, so they must not reach the one daily system audit
    // chain (every append contends for its head). The pipeline's own writes go on meanwhile.
    const { rarId } = await approvalMessage();
    const writes: string[] = [];
    h.db.middlewareStack.add(
      (next, context) => async (args) => {
        const write = /^(Put|Update|Delete|TransactWrite|BatchWrite)/.test(context.commandName ?? "");
        if (write && JSON.stringify(args.input).includes("AUDIT#SYSTEM"))
          writes.push(context.commandName ?? "");
        return next(args);
      },
      { step: "initialize", name: "watchSystemAuditWrites" },
    );
    const refused = () =>
      metrics.value("kubernaut_requests_refused_total", { door: "slack", reason: code }) ?? 0;
    const before = refused();

    // Act
    const response = await post(signed(click(PROD_APPROVER, "approve", rarId), options()));

    // Assess
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(reason);
    expect(writes).toEqual([]);
    expect(refused()).toBe(before + 1);
    expect((await h.approvals.get(rarId))?.decision).toBeUndefined();
    expect(await h.systemAudit.day(new Date().toISOString().slice(0, 10))).toEqual([]);
  });

  it("a correctly signed click from another workspace is refused (401), counted and audited", async () => {
    const { rarId } = await approvalMessage();
    const refused = () =>
      metrics.value("kubernaut_requests_refused_total", { door: "slack", reason: "another_workspace" }) ?? 0;
    const before = refused();

    const response = await post(signed(click(PROD_APPROVER, "approve", rarId, "T0OTHER")));

    expect(response.status).toBe(401);
    expect(refused()).toBe(before + 1);
    expect((await h.approvals.get(rarId))?.decision).toBeUndefined();
    const events = await h.systemAudit.day(new Date().toISOString().slice(0, 10));
    expect(events.at(-1)).toMatchObject({
      type: "SlackRequestRefused",
      details: { reason: "another workspace", teamId: "T0OTHER" },
    });
  });

  it("a user without approver scope gets an ephemeral explanation, nothing changes, and the refusal is audited", async () => {
    const { rarId } = await approvalMessage();
    const response = await post(signed(click(STAGING_APPROVER, "approve", rarId)));
    expect(response.status).toBe(200);
    expect((await h.approvals.get(rarId))?.decision).toBeUndefined();
    expect(methodCalls("chat.postEphemeral")).toEqual([
      expect.objectContaining({
        args: expect.objectContaining({
          user: STAGING_APPROVER,
          text: expect.stringMatching(/not an approver/),
        }),
      }),
    ]);
    const events = await h.systemAudit.day(new Date().toISOString().slice(0, 10));
    expect(events.at(-1)).toMatchObject({
      type: "DecisionRefused",
      actor: { id: `slack:${STAGING_APPROVER}` },
    });
  });

  it("two users clicking at once → exactly one decision; the other is told who won and the message shows the winner", async () => {
    const { rarId } = await approvalMessage();
    const [a, b] = await Promise.all([
      post(signed(click(PROD_APPROVER, "approve", rarId))),
      post(signed(click(GROUP_MEMBER, "reject", rarId))),
    ]);
    expect([a?.status, b?.status]).toEqual([200, 200]);
    const approval = await h.approvals.get(rarId);
    const winner = approval?.decidedBy;
    expect([`slack:${PROD_APPROVER}`, `slack:${GROUP_MEMBER}`]).toContain(winner);
    const [told] = methodCalls("chat.postEphemeral");
    expect(told?.args.text).toContain(`already ${approval?.decision} by ${winner}`);
    await h.pipeline.engine.idle();
    expect(methodCalls("chat.update").map((c) => c.args.text)).toEqual([
      expect.stringContaining(`by ${winner}`),
    ]);
  });

  it("approve with changes opens a modal generated from the parameter schema; an out-of-range value comes back as the field's error", async () => {
    const { id, rarId } = await approvalMessage();
    expect((await post(signed(click(PROD_APPROVER, "approve_with_changes", rarId)))).status).toBe(200);
    const [open] = methodCalls("views.open");
    const view = open?.args.view as {
      private_metadata: string;
      blocks: Array<{ block_id?: string; element?: Record<string, unknown> }>;
    };
    expect(view.private_metadata).toBe(rarId);
    expect(view.blocks.find((b) => b.block_id === "param_toRevision")?.element).toMatchObject({
      type: "number_input",
      initial_value: "0",
      min_value: "0",
    });

    const submission = (toRevision: string, rationale = "the one before was bad too") => ({
      type: "view_submission",
      team: { id: TEAM },
      api_app_id: APP,
      user: { id: PROD_APPROVER },
      view: {
        callback_id: "approve_with_changes",
        private_metadata: rarId,
        state: {
          values: {
            param_toRevision: { value: { type: "number_input", value: toRevision } },
            rationale: { value: { type: "plain_text_input", value: rationale } },
          },
        },
      },
    });
    const invalid = await post(signed(submission("-3")));
    expect(await invalid.json()).toEqual({
      response_action: "errors",
      errors: { param_toRevision: "must be ≥ 0" },
    });
    expect((await h.approvals.get(rarId))?.decision).toBeUndefined();

    const valid = await post(signed(submission("2")));
    expect(await valid.json()).toEqual({});
    expect(await h.waitFor(id, (r) => isTerminal(r.phase))).toMatchObject({
      approvalDecision: {
        decision: "Approved",
        override: { workflowName: "crashloop-rollback-v1", parameters: { toRevision: 2 } },
      },
    });
  });

  it("an expired request's message reads Expired, and a late click changes nothing and says why", async () => {
    const { id, rarId } = await approvalMessage();
    // Let the deadline pass: the state machine's wait times out (its timeout follows requiredBy) …
    await h.db.send(
      new UpdateCommand({
        TableName: h.config.storage.tableName,
        Key: { pk: `RAR#${rarId}`, sk: "RAR" },
        UpdateExpression: "SET requiredBy = :past",
        ExpressionAttributeValues: { ":past": new Date(Date.now() - 1000).toISOString() },
      }),
    );
    const late = await post(signed(click(PROD_APPROVER, "approve", rarId)));
    expect(late.status).toBe(200);
    expect(methodCalls("chat.postEphemeral")[0]?.args.text).toMatch(/past its deadline|already Expired/);
    expect((await h.approvals.get(rarId))?.decision).toBe("Expired");
    // … and when the execution's own timeout fires, the message is rewritten to say so.
    const { SendTaskFailureCommand } = await import("@aws-sdk/client-sfn");
    await h.pipeline.sfn.send(
      new SendTaskFailureCommand({
        taskToken: (await h.approvals.get(rarId))?.taskToken,
        error: "States.Timeout",
        cause: "test",
      }),
    );
    await h.waitFor(id, (r) => isTerminal(r.phase));
    await h.pipeline.engine.idle();
    expect(methodCalls("chat.update").map((c) => c.args.text)).toContain(
      "Deployment/checkout in production: Failed",
    );
  });
});
