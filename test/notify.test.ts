import { SendTaskSuccessCommand } from "@aws-sdk/client-sfn";
import { isTerminal } from "@kubernaut/core";
import {
  type Channel,
  createChannels,
  Notifier,
  type NotifyInput,
  type SlackStandIn,
  startSlackStandIn,
} from "@kubernaut/notify";
import { LOCAL_NOTIFY_STATE_MACHINE_ARN } from "@kubernaut/pipeline";
import { approvalIdFor } from "@kubernaut/store";
import { metrics } from "@kubernaut/telemetry";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { webhook } from "./support/alerts";
import { fixture } from "./support/fixtures";
import { createPipelineHarness, type PipelineHarness } from "./support/pipeline";
import { startWebhookReceiver } from "./support/webhook";

const SECRET = "webhook-signing-secret-0123456789";
const BREAKER = "kubernaut_notification_channel_circuit_breaker_state";

describe("notifications through the notify state machine", () => {
  let slack: SlackStandIn;
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let h: PipelineHarness;

  beforeEach(async () => {
    slack = await startSlackStandIn();
    hook = await startWebhookReceiver(SECRET);
    h = await createPipelineHarness(
      {
        remediationOrchestrator: { dryRun: true },
        // Without a cluster the namespaces' labels are unknown: their names say the environment.
        signalProcessing: { environmentFromNamespaceName: true },
        slack: { apiUrl: slack.apiUrl, botToken: "xoxb-test" },
        notification: {
          receivers: [
            { name: "log", type: "log" },
            { name: "oncall", type: "slack", channel: "#oncall", fallback: "log" },
            { name: "audit", type: "webhook", url: hook.url, secret: SECRET },
          ],
          route: {
            receiver: "log",
            routes: [
              {
                match: { type: ["Escalation"], priority: ["Critical"], environment: ["Production"] },
                receiver: "oncall",
                continue: true,
              },
              { match: { environment: ["Production"] }, receiver: "audit" },
              { match: { type: ["StatusUpdate"] }, receiver: "oncall", continue: true },
              { match: { type: ["StatusUpdate"] }, receiver: "audit" },
              { match: { type: ["Approval"] }, receiver: "oncall" },
            ],
          },
        },
      },
      { tune: (config) => Object.assign(config.notification.circuitBreaker, { openFor: 2_000 }) },
    );
    // The requests as the notifier creates them: most are delivered by the task and start no execution.
    vi.spyOn(h.pipeline.notifications, "create");
  });
  afterEach(async () => {
    await h.pipeline.close();
    await slack.close();
    await hook.close();
  });

  const settle = () => h.pipeline.engine.idle();
  const created = () =>
    vi.mocked(h.pipeline.notifications.create).mock.calls.map(([notification]) => notification.id);
  const idOf = (type: string, key = "") => created().find((id) => id.endsWith(`-${type}${key}`)) ?? "";
  const deliveries = async (type: string, key = "") =>
    Object.fromEntries(
      (await h.pipeline.notifications.deliveries(idOf(type, key))).map((d) => [d.receiver, d]),
    );
  /** The notify executions started for a notification, by the receiver they deliver to. */
  const executions = (type: string, key = "") =>
    h.pipeline.engine
      .listExecutions(LOCAL_NOTIFY_STATE_MACHINE_ARN)
      .filter((e) => e.name.startsWith(`${idOf(type, key)}-`))
      .map((e) => (JSON.parse(e.input) as { receiver: string }).receiver);
  const posts = () => slack.calls.filter((c) => c.method === "chat.postMessage");
  /** A notifier as a task builds it, with a clock of its own (so a retried task finds the same request). */
  const taskNotifier = (
    now: Date,
    channels: Partial<ReturnType<typeof createChannels>> = createChannels(() => h.config, {}),
  ) =>
    new Notifier({
      config: () => h.config,
      notifications: h.pipeline.notifications,
      sfn: h.pipeline.sfn,
      stateMachineArn: LOCAL_NOTIFY_STATE_MACHINE_ARN,
      inline: { breakers: h.pipeline.breakers, channels },
      now: () => now,
    });
  const statusUpdate = (key: string): NotifyInput => ({ type: "StatusUpdate", subject: key, body: "b", key });

  it("routes a production P0 escalation to two receivers and a staging completion to one", async () => {
    await h.pipeline.notifier.notify({
      type: "Escalation",
      priority: "Critical",
      subject: "e",
      body: "b",
      context: { environment: "Production" },
    });
    await h.pipeline.notifier.notify({
      type: "Completion",
      priority: "Medium",
      subject: "c",
      body: "b",
      context: { environment: "Staging" },
    });
    await settle();

    expect(Object.keys(await deliveries("Escalation")).sort()).toEqual(["audit", "oncall"]);
    expect(Object.keys(await deliveries("Completion"))).toEqual(["log"]);
    expect(slack.calls.filter((c) => c.method === "chat.postMessage")).toEqual([
      expect.objectContaining({ args: expect.objectContaining({ channel: "#oncall", text: "e" }) }),
    ]);
    expect(hook.received).toEqual([
      expect.objectContaining({
        signatureValid: true,
        body: expect.objectContaining({ type: "Escalation" }),
      }),
    ]);
  });

  it("a Slack stand-in answering 500 trips its breaker while the webhook keeps delivering; a probe later closes it", async () => {
    slack.fail({ status: 500, times: 100 });
    await h.pipeline.notifier.notify({ type: "StatusUpdate", subject: "first", body: "b", key: "1" });
    await settle();

    const first = await deliveries("StatusUpdate", "-1");
    // Three consecutive 500s open the breaker; the next retry finds it open and falls back to the log.
    expect(first.oncall?.status).toBe("FellBack");
    expect(first.oncall?.attempts.map((a) => a.outcome)).toEqual([
      "failed",
      "failed",
      "failed",
      "breakerOpen",
    ]);
    expect(first.oncall?.attempts[0]).toMatchObject({ httpStatus: 500 });
    expect(first.log?.status).toBe("Delivered");
    expect(first.audit?.status).toBe("Delivered");
    expect(metrics.value(BREAKER, { channel: "oncall" })).toBe(1);
    expect(await h.pipeline.breakers.read("oncall")).toMatchObject({ state: "open", consecutiveFailures: 3 });

    // While open, a second notification skips Slack at once; the webhook is unaffected.
    await h.pipeline.notifier.notify({ type: "StatusUpdate", subject: "second", body: "b", key: "2" });
    await settle();
    expect((await deliveries("StatusUpdate", "-2")).oncall?.attempts.map((a) => a.outcome)).toEqual([
      "breakerOpen",
    ]);
    expect(hook.received.map((r) => r.body.subject)).toEqual(["first", "second"]);

    // After the open period a probe goes through and closes the breaker.
    slack.clearFaults();
    const { openUntil = 0 } = await h.pipeline.breakers.read("oncall");
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, openUntil - Date.now()) + 50));
    await h.pipeline.notifier.notify({ type: "StatusUpdate", subject: "third", body: "b", key: "3" });
    await settle();
    expect((await deliveries("StatusUpdate", "-3")).oncall?.status).toBe("Delivered");
    expect(await h.pipeline.breakers.read("oncall")).toMatchObject({
      state: "closed",
      consecutiveFailures: 0,
    });
    expect(metrics.value(BREAKER, { channel: "oncall" })).toBe(0);
    expect(await metrics.render()).toMatch(
      /kubernaut_notification_delivery_attempts_total\{channel="oncall",status="failure"\} \d+/,
    );
  });

  it("a permanently failing message ends as a dead letter with its attempt history", async () => {
    hook.failWith(503, 400);
    await h.pipeline.notifier.notify({
      type: "Completion",
      priority: "Low",
      subject: "x",
      body: "b",
      context: { environment: "Production" },
    });
    await settle();

    const { audit } = await deliveries("Completion");
    expect(audit).toMatchObject({
      status: "DeadLetter",
      error: expect.stringMatching(/^PermanentDeliveryError: 400/),
    });
    expect(audit?.attempts.map((a) => [a.outcome, a.httpStatus])).toEqual([
      ["failed", 503],
      ["failed", 400],
      ["failed", undefined],
    ]);
    expect((await h.pipeline.notifications.deadLetters()).map((d) => d.receiver)).toEqual(["audit"]);
    // The first 503 was the task's own attempt; one execution retried it and dead-lettered the 400.
    expect(executions("Completion")).toEqual(["audit"]);
  });

  it("a refusal on the task's own attempt is a dead letter at once, without a notify execution", async () => {
    hook.failWith(400);
    await h.pipeline.notifier.notify({
      type: "Completion",
      priority: "Low",
      subject: "refused",
      body: "b",
      context: { environment: "Production" },
    });

    const { audit } = await deliveries("Completion");
    expect(audit).toMatchObject({
      status: "DeadLetter",
      error: "PermanentDeliveryError: 400: webhook audit",
    });
    expect(audit?.attempts.map((a) => [a.outcome, a.httpStatus])).toEqual([
      ["failed", 400],
      ["failed", undefined],
    ]);
    expect(executions("Completion")).toEqual([]);
  });

  it("a 429 with Retry-After is honoured before the next attempt", async () => {
    slack.fail({ status: 429, retryAfterSeconds: 1, times: 1 });
    await h.pipeline.notifier.notify({ type: "StatusUpdate", subject: "slow down", body: "b", key: "429" });
    await settle();

    const posts = slack.calls.filter((c) => c.method === "chat.postMessage");
    expect(posts).toHaveLength(2);
    expect((posts[1]?.at ?? 0) - (posts[0]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    expect((await deliveries("StatusUpdate", "-429")).oncall?.attempts.map((a) => a.outcome)).toEqual([
      "rateLimited",
      "delivered",
    ]);
    // A rate limit says nothing about the channel's health.
    expect(await h.pipeline.breakers.read("oncall")).toMatchObject({
      state: "closed",
      consecutiveFailures: 0,
    });
  });

  it("a DryRun remediation produces a DryRun notification", async () => {
    const [created] = await h.postAlerts(fixture("high-memory-alert.json"));
    const id = created?.remediationId as string;
    await h.waitFor(id, (rr) => isTerminal(rr.phase));
    await settle();

    const nr = await h.pipeline.notifications.get(`nr-${id.replace(/^rr-/, "")}-DryRun`);
    expect(nr).toMatchObject({
      type: "DryRun",
      subject:
        "Dry run: would run increase-memory-limits-v1 on Deployment/webapp-deployment in production (openshift-prod)",
      context: { remediationId: id, environment: "Production", workflowId: "increase-memory-limits-v1" },
    });
    // Production → the audit webhook, by the routing tree.
    expect(hook.received.map((r) => r.body.type)).toEqual(["DryRun"]);
  });

  it("a delivery the task makes itself starts no notify execution and is recorded as delivered", async () => {
    await h.pipeline.notifier.notify(statusUpdate("inline"));

    // Before any execution could run: the task delivered to both receivers on its own.
    expect(posts()).toHaveLength(1);
    expect(hook.received.map((r) => r.body.subject)).toEqual(["inline"]);
    const records = await deliveries("StatusUpdate", "-inline");
    expect(records.oncall).toMatchObject({ status: "Delivered", ref: { channel: "#oncall" } });
    expect(records.oncall?.attempts.map((a) => a.outcome)).toEqual(["delivered"]);
    expect(records.audit?.status).toBe("Delivered");
    expect(executions("StatusUpdate", "-inline")).toEqual([]);
  });

  it("a failed inline attempt starts exactly one notify execution, for that receiver, which delivers after the backoff", async () => {
    slack.fail({ status: 500, times: 1 });
    await h.pipeline.notifier.notify(statusUpdate("retry"));
    await settle();

    expect(executions("StatusUpdate", "-retry")).toEqual(["oncall"]);
    const { oncall, audit } = await deliveries("StatusUpdate", "-retry");
    expect(oncall?.status).toBe("Delivered");
    expect(oncall?.attempts.map((a) => [a.outcome, a.httpStatus])).toEqual([
      ["failed", 500],
      ["delivered", undefined],
    ]);
    expect(audit?.attempts.map((a) => a.outcome)).toEqual(["delivered"]);
    expect(posts()).toHaveLength(2);
  });

  it("an open breaker hands the delivery to the notify machine, which falls back without trying the channel", async () => {
    await h.pipeline.breakers.write(
      "oncall",
      { state: "open", consecutiveFailures: 3, openUntil: Date.now() + 60_000 },
      0,
    );
    await h.pipeline.notifier.notify(statusUpdate("open"));
    await settle();

    expect(executions("StatusUpdate", "-open")).toEqual(["log"]);
    const { oncall, log } = await deliveries("StatusUpdate", "-open");
    expect(oncall).toMatchObject({
      status: "FellBack",
      attempts: [expect.objectContaining({ outcome: "breakerOpen" })],
    });
    expect(log?.status).toBe("Delivered");
    expect(posts()).toEqual([]);
  });

  it("a retried task delivers once: after its inline delivery, and after handing a failure to the notify machine", async () => {
    const at = new Date("2026-01-01T00:00:00Z");
    await taskNotifier(at).notify(statusUpdate("twice"));
    await taskNotifier(at).notify(statusUpdate("twice"));
    await settle();
    expect(posts()).toHaveLength(1);
    expect(hook.received).toHaveLength(1);
    expect(executions("StatusUpdate", "-twice")).toEqual([]);

    slack.fail({ status: 500, times: 1 });
    const later = new Date("2026-01-01T00:01:00Z");
    await taskNotifier(later).notify(statusUpdate("handed"));
    await taskNotifier(later).notify(statusUpdate("handed"));
    await settle();
    // One failed post, one delivered by the one execution; the retried task only found that execution.
    expect(posts()).toHaveLength(3);
    expect(hook.received).toHaveLength(2);
    expect((await deliveries("StatusUpdate", "-handed")).oncall?.attempts.map((a) => a.outcome)).toEqual([
      "failed",
      "delivered",
    ]);
    expect(h.pipeline.engine.listExecutions(LOCAL_NOTIFY_STATE_MACHINE_ARN)).toHaveLength(1);
  });

  it("an inline attempt slower than its timeout is handed over; the notify machine does not post it again", async () => {
    h.config.notification.inlineDelivery.timeout = 100;
    const channels = createChannels(() => h.config, {});
    const slow: Channel = {
      deliver: async (notification, target) => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return channels.slack.deliver(notification, target);
      },
    };
    await taskNotifier(new Date(), { ...channels, slack: slow }).notify(statusUpdate("slow"));
    // The task waited its timeout, not the channel: Slack has not been called yet.
    expect(posts()).toEqual([]);
    await settle();

    expect(executions("StatusUpdate", "-slow")).toEqual(["oncall"]);
    expect(posts()).toHaveLength(1);
    const { oncall } = await deliveries("StatusUpdate", "-slow");
    expect(oncall?.status).toBe("Delivered");
    expect(oncall?.attempts.map((a) => a.outcome)).toEqual(["delivered"]);
  });

  it("a function without the receiver's channel (the schedule carries no Slack client) hands that receiver over", async () => {
    const { log, webhook } = createChannels(() => h.config, {});
    await taskNotifier(new Date(), { log, webhook }).notify(statusUpdate("plain"));
    await settle();

    expect(executions("StatusUpdate", "-plain")).toEqual(["oncall"]);
    const { oncall, audit } = await deliveries("StatusUpdate", "-plain");
    expect(oncall?.attempts.map((a) => a.outcome)).toEqual(["delivered"]);
    expect(audit?.attempts.map((a) => a.outcome)).toEqual(["delivered"]);
    expect(posts()).toHaveLength(1);
  });

  it("with inline delivery off, every receiver goes through the notify machine as before", async () => {
    h.config.notification.inlineDelivery.enabled = false;
    await h.pipeline.notifier.notify(statusUpdate("off"));
    await settle();

    expect(executions("StatusUpdate", "-off").sort()).toEqual(["audit", "oncall"]);
    expect(posts()).toHaveLength(1);
    expect(hook.received.map((r) => r.body.subject)).toEqual(["off"]);
  });

  it("a notification problem never fails the task: with the table and the machine unreachable, notify resolves", async () => {
    const broken = new Notifier({
      config: () => h.config,
      notifications: h.pipeline.notifications,
      sfn: h.pipeline.sfn,
      stateMachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:missing",
      inline: {
        breakers: h.pipeline.breakers,
        channels: {
          ...createChannels(() => h.config, {}),
          slack: { deliver: () => Promise.reject(new Error("down")) },
        },
      },
    });
    vi.spyOn(h.pipeline.notifications, "delivery").mockRejectedValue(new Error("table unreachable"));
    await expect(broken.notify(statusUpdate("broken"))).resolves.toBeUndefined();
  });

  it("an approval request posts Slack buttons that carry the request id, never the task token", async () => {
    h.config.remediationOrchestrator.dryRun = false;
    const [created] = await h.postAlerts(
      webhook([
        {
          labels: {
            alertname: "PodCrashLooping",
            severity: "critical",
            namespace: "staging",
            deployment: "cart",
          },
        },
      ]),
    );
    const id = created?.remediationId as string;
    await h.waitFor(id, (rr) => rr.phase === "AwaitingApproval");
    const rar = await h.approvals.get(approvalIdFor(id));
    for (let i = 0; i < 100 && !slack.calls.some((c) => c.method === "chat.postMessage"); i++)
      await new Promise((r) => setTimeout(r, 20));

    const [post] = slack.calls.filter((c) => c.method === "chat.postMessage");
    const text = JSON.stringify(post?.args);
    expect(text).toContain(`"value":"${rar?.id}"`);
    expect(text).not.toContain(rar?.taskToken);
    await h.pipeline.sfn.send(new SendTaskSuccessCommand({ taskToken: rar?.taskToken, output: "{}" }));
    await h.waitFor(id, (rr) => isTerminal(rr.phase));
  });
});

describe("the oscillation warning", () => {
  it("the same target executed more than N times in the window raises one Escalation", async () => {
    const h = await createPipelineHarness(
      { notification: { oscillation: { maxRemediations: 1, window: "1h" } } },
      // Let the backoff hold after each (refused) execution lapse at once, so the next alert gets through.
      {
        tune: (config) =>
          Object.assign(config.remediationOrchestrator.routing, { exponentialBackoffBase: 1 }),
      },
    );
    try {
      const alert = webhook([
        {
          labels: {
            alertname: "PodCrashLooping",
            severity: "critical",
            namespace: "staging",
            deployment: "flappy",
          },
        },
      ]);
      const ids: string[] = [];
      for (let round = 0; round < 3; round++) {
        const [created] = await h.postAlerts(alert);
        expect(created?.status).toBe("created");
        const id = created?.remediationId as string;
        ids.push(id);
        await h.waitFor(id, (rr) => rr.phase === "AwaitingApproval");
        const rar = await h.approvals.get(approvalIdFor(id));
        await h.pipeline.sfn.send(new SendTaskSuccessCommand({ taskToken: rar?.taskToken, output: "{}" }));
        await h.waitFor(id, (rr) => isTerminal(rr.phase));
        await h.pipeline.engine.idle();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const escalations = await Promise.all(
        ids.map((id) => h.pipeline.notifications.get(`nr-${id.replace(/^rr-/, "")}-Escalation-oscillation`)),
      );
      // The second execution crosses the line (more than 1 in the window); the third does not repeat it.
      expect(escalations.map((nr) => nr?.type)).toEqual([undefined, "Escalation", undefined]);
      expect(escalations[1]?.subject).toBe(
        "Oscillation: Deployment/flappy in staging remediated 2 times in 1h",
      );
    } finally {
      await h.pipeline.close();
    }
  });
});
