import { PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { createApp } from "@kubernaut/api";
import { fingerprintOf } from "@kubernaut/core";
import { createDynamoClient, documentClient, epochSeconds, RemediationStore } from "@kubernaut/store";
import { beforeEach, describe, expect, it } from "vitest";
import { webhook } from "./support/alerts";
import { createTestApp, type TestApp } from "./support/app";
import { fixture, fixtureText } from "./support/fixtures";
import { WEBHOOK_TOKEN } from "./support/store";

interface Accepted {
  fingerprint: string | null;
  remediationId: string | null;
  status: string;
  reason?: string;
}

async function accepted(response: Response): Promise<Accepted[]> {
  expect(response.status).toBe(202);
  const body = (await response.json()) as { accepted: Accepted[] };
  return body.accepted;
}

const fp = (namespace: string, kind: string, name: string, cluster?: string) =>
  fingerprintOf({ namespace, kind, name, ...(cluster ? { cluster } : {}) });

describe("POST /api/v1/signals/prometheus", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });

  describe("published Alertmanager fixtures", () => {
    it.each([
      ["sample-alert.json", fp("production", "Deployment", "app-xyz")],
      ["pod-crash-alert.json", fp("production", "Deployment", "payment-service", "openshift-prod")],
      ["pod-crash.json", fp("production", "Deployment", "api-server")],
      ["high-memory-alert.json", fp("production", "Deployment", "webapp-deployment", "openshift-prod")],
      // Both `deployment` and `node` labels: the Deployment wins.
      ["cpu-throttling-alert.json", fp("staging", "Deployment", "api-gateway", "openshift-staging")],
    ])("%s creates one remediation on its workload", async (name, fingerprint) => {
      // Act
      const results = await accepted(await t.postAlerts(fixture(name)));
      // Assess
      expect(results).toEqual([expect.objectContaining({ status: "created", fingerprint })]);
      const [rr] = await t.remediationItems();
      expect(rr).toMatchObject({ id: results[0]?.remediationId, phase: "Pending", fingerprint });
      expect(t.starter.started).toEqual([results[0]?.remediationId]);
    });

    it("multiple-alerts.json: a group on three workloads → three remediations", async () => {
      const results = await accepted(await t.postAlerts(fixture("multiple-alerts.json")));
      expect(results.map((r) => r.status)).toEqual(["created", "created", "created"]);
      const targets = (await t.remediationItems()).map(
        (rr) => `${rr.targetResource.kind}/${rr.targetResource.name}`,
      );
      expect(targets.sort()).toEqual([
        "Deployment/backend-api",
        "Deployment/frontend",
        "Job/database-backup-cronjob",
      ]);
    });

    it("resolved-alert.json with no remediation: answered resolved, nothing created", async () => {
      const results = await accepted(await t.postAlerts(fixture("resolved-alert.json")));
      expect(results).toEqual([expect.objectContaining({ status: "resolved", remediationId: null })]);
      expect(await t.allItems()).toEqual([]);
    });

    it("invalid-payload.txt: 400 and nothing written", async () => {
      const response = await t.postAlerts(fixtureText("invalid-payload.txt"));
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: { code: "invalid_request", message: expect.stringMatching(/^body is not valid JSON/) },
      });
      expect(await t.allItems()).toEqual([]);
      expect(t.starter.started).toEqual([]);
    });
  });

  it("two alert names on one Deployment merge into one remediation", async () => {
    const labels = { namespace: "shop", deployment: "cart" };
    const first = await accepted(
      await t.postAlerts(webhook([{ labels: { ...labels, alertname: "HighMemoryUsage" } }])),
    );
    const second = await accepted(
      await t.postAlerts(webhook([{ labels: { ...labels, alertname: "PodCrashLooping" } }])),
    );
    expect(second).toEqual([
      expect.objectContaining({ status: "deduplicated", remediationId: first[0]?.remediationId }),
    ]);
    expect(await t.remediationItems()).toHaveLength(1);
    const state = (await t.allItems()).find((item) => item.sk === "STATE");
    expect(state?.occurrenceCount).toBe(2);
  });

  it("a pod-only alert is attributed to the Deployment its name implies", async () => {
    const results = await accepted(
      await t.postAlerts(
        webhook([
          { labels: { alertname: "PodCrashLooping", namespace: "shop", pod: "cart-7b9d5c4f6-x2z4q" } },
        ]),
      ),
    );
    expect(results[0]).toMatchObject({ status: "created", fingerprint: fp("shop", "Deployment", "cart") });
    const [rr] = await t.remediationItems();
    expect(rr).toMatchObject({
      targetResource: { kind: "Deployment", name: "cart" },
      targetSource: "pod-name",
    });
  });

  it("the same delivery sent 20 times concurrently creates one remediation and one execution", async () => {
    const body = fixture("pod-crash-alert.json");
    const responses = await Promise.all(Array.from({ length: 20 }, () => t.postAlerts(body)));
    const results = (await Promise.all(responses.map(accepted))).flat();
    const created = results.filter((r) => r.status === "created");
    expect(created).toHaveLength(1);
    expect(new Set(results.map((r) => r.remediationId))).toEqual(new Set([created[0]?.remediationId]));
    expect(await t.remediationItems()).toHaveLength(1);
    expect(t.starter.started).toHaveLength(1);
  });

  it("a resolved alert marks the matching remediation and never starts one", async () => {
    const [firing] = await accepted(await t.postAlerts(fixture("high-memory-alert.json")));
    const [resolved] = await accepted(await t.postAlerts(fixture("resolved-alert.json")));
    expect(resolved).toMatchObject({ status: "resolved", remediationId: firing?.remediationId });
    expect(await t.remediationItems()).toHaveLength(1);
    expect(t.starter.started).toHaveLength(1);
    const rr = await t.store.get(firing?.remediationId as string);
    expect(rr?.signalResolvedAt).toBeDefined();
  });

  it("a terminal remediation releases the fingerprint: the next alert creates a new one", async () => {
    const [first] = await accepted(await t.postAlerts(fixture("sample-alert.json")));
    const actor = { type: "system" as const, id: "test" };
    await t.store.transition(
      first?.remediationId as string,
      { from: ["Pending"], to: "Completed", outcome: "Remediated", seed: true },
      actor,
    );
    const [second] = await accepted(await t.postAlerts(fixture("sample-alert.json")));
    expect(second).toMatchObject({ status: "created" });
    expect(second?.remediationId).not.toBe(first?.remediationId);
  });

  it("a remediation in Verifying still suppresses the fingerprint", async () => {
    const [first] = await accepted(await t.postAlerts(fixture("sample-alert.json")));
    const actor = { type: "system" as const, id: "test" };
    await t.store.transition(
      first?.remediationId as string,
      { from: ["Pending"], to: "Verifying", seed: true },
      actor,
    );
    const [second] = await accepted(await t.postAlerts(fixture("sample-alert.json")));
    expect(second).toMatchObject({ status: "deduplicated", remediationId: first?.remediationId });
  });

  describe("holds", () => {
    const target = fp("production", "Deployment", "app-xyz");

    it("a hold in force answers held with its reason", async () => {
      await t.store.putHold(target, {
        kind: "manualReview",
        reason: "ManualReviewRequired",
        expiresAt: epochSeconds(new Date()) + 3600,
        remediationId: "rr-earlier",
      });
      const [result] = await accepted(await t.postAlerts(fixture("sample-alert.json")));
      expect(result).toMatchObject({
        status: "held",
        remediationId: "rr-earlier",
        reason: expect.stringMatching(/^manualReview: ManualReviewRequired/),
      });
      expect(await t.remediationItems()).toHaveLength(0);
    });

    it("a hold stored as its own item (before holds moved onto the state item) still holds", async () => {
      const expiresAt = epochSeconds(new Date()) + 3600;
      await t.db.send(
        new PutCommand({
          TableName: t.config.storage.tableName,
          Item: { pk: `FP#${target}`, sk: "HOLD#backoff", kind: "backoff", reason: "Rejected", expiresAt },
        }),
      );
      const [result] = await accepted(await t.postAlerts(fixture("sample-alert.json")));
      expect(result).toMatchObject({ status: "held", reason: expect.stringMatching(/^backoff: Rejected/) });
      // A release lifts it too.
      expect(await t.store.releaseHolds(target)).toHaveLength(1);
      const [after] = await accepted(await t.postAlerts(fixture("sample-alert.json")));
      expect(after).toMatchObject({ status: "created" });
    });

    it("an expired hold that TTL has not deleted yet is absent", async () => {
      await t.store.putHold(target, {
        kind: "dryRun",
        reason: "DryRun",
        expiresAt: epochSeconds(new Date()) - 1,
      });
      const [result] = await accepted(await t.postAlerts(fixture("sample-alert.json")));
      expect(result).toMatchObject({ status: "created" });
      // The expired hold is still stored (on the fingerprint's state item): correctness did not depend
      // on anything deleting it.
      expect((await t.allItems()).some((item) => item.sk === "STATE" && item.hold_dryRun)).toBe(true);
    });
  });

  describe("the cost of a duplicate (issue 22)", () => {
    /** Counts the DynamoDB operations the app's client sends while `work` runs. */
    async function operations(work: () => Promise<unknown>): Promise<string[]> {
      const seen: string[] = [];
      const name = `count-${Math.random()}`;
      t.client.middlewareStack.add(
        (next, context) => async (args) => {
          seen.push(String(context.commandName).replace(/Command$/, ""));
          return next(args);
        },
        { step: "initialize", name },
      );
      try {
        await work();
      } finally {
        t.client.middlewareStack.remove(name);
      }
      return seen;
    }

    it("a redelivery for a running remediation is absorbed in one conditional write", async () => {
      const [first] = await accepted(await t.postAlerts(fixture("sample-alert.json")));
      expect(first?.status).toBe("created");
      let again: Accepted[] = [];
      const ops = await operations(async () => {
        again = await accepted(await t.postAlerts(fixture("sample-alert.json")));
      });
      expect(again[0]).toMatchObject({ status: "deduplicated", remediationId: first?.remediationId });
      expect(ops).toEqual(["UpdateItem"]);
    });

    it("an alert on a held fingerprint is answered in one conditional write", async () => {
      const target = fp("production", "Deployment", "app-xyz");
      await t.store.putHold(target, {
        kind: "dryRun",
        reason: "DryRun",
        expiresAt: epochSeconds(new Date()) + 60,
      });
      let held: Accepted[] = [];
      const ops = await operations(async () => {
        held = await accepted(await t.postAlerts(fixture("sample-alert.json")));
      });
      expect(held[0]?.status).toBe("held");
      expect(ops).toEqual(["UpdateItem"]);
    });
  });

  describe("authentication", () => {
    it.each([
      ["missing", null, /missing bearer token/],
      ["wrong", "not-the-token", /invalid webhook token/],
    ])("%s token → 401, nothing written", async (_case, token, message) => {
      const response = await t.postAlerts(fixture("sample-alert.json"), token);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        error: { code: "unauthorized", message: expect.stringMatching(message) },
      });
      expect(await t.allItems()).toEqual([]);
    });

    it("an API token is not a webhook token", async () => {
      const response = await t.postAlerts(fixture("sample-alert.json"), "test-admin-token");
      expect(response.status).toBe(401);
    });
  });

  describe("validation", () => {
    it("an oversized body → 413 naming the limit, nothing written", async () => {
      const big = webhook(
        Array.from({ length: 2000 }, (_, i) => ({
          labels: { alertname: "Big", namespace: "ns", deployment: `d${i}`, padding: "x".repeat(100) },
        })),
      );
      const response = await t.postAlerts(big);
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({
        error: {
          code: "payload_too_large",
          message: expect.stringContaining("262144 bytes; set max_alerts"),
        },
      });
      expect(await t.allItems()).toEqual([]);
    });

    it.each([
      {
        case: "a bad timestamp",
        mutate: (body: ReturnType<typeof webhook>) => {
          (body.alerts[1] as { startsAt: string }).startsAt = "yesterday";
        },
        field: "alerts[1].startsAt",
      },
      {
        case: "a missing status",
        mutate: (body: ReturnType<typeof webhook>) => {
          delete (body as Partial<typeof body>).status;
        },
        field: "status",
      },
      {
        case: "a non-string label value",
        mutate: (body: ReturnType<typeof webhook>) => {
          (body.alerts[0]?.labels as Record<string, unknown>).replicas = 3;
        },
        field: "alerts[0].labels.replicas",
      },
      {
        case: "an empty group",
        mutate: (body: ReturnType<typeof webhook>) => {
          body.alerts = [];
        },
        field: "alerts",
      },
    ])(
      "$case → 400 naming $field, nothing written (not even the valid alerts)",
      async ({ mutate, field }) => {
        const body = webhook([
          { labels: { alertname: "A", namespace: "ns", deployment: "a" } },
          { labels: { alertname: "B", namespace: "ns", deployment: "b" } },
        ]);
        mutate(body);
        const response = await t.postAlerts(body);
        expect(response.status).toBe(400);
        const { error } = (await response.json()) as { error: { code: string; message: string } };
        expect(error.code).toBe("invalid_request");
        expect(error.message).toContain(`${field}:`);
        expect(await t.allItems()).toEqual([]);
      },
    );

    it("an alert without a usable target is rejected while the rest of the group proceeds", async () => {
      const results = await accepted(
        await t.postAlerts(
          webhook([
            { labels: { alertname: "Watchdog", instance: "10.0.0.1:9090", job: "prometheus" } },
            { labels: { alertname: "PodCrashLooping", namespace: "ns", deployment: "api" } },
            { labels: { namespace: "ns", deployment: "nameless" } },
          ]),
        ),
      );
      expect(results).toEqual([
        expect.objectContaining({
          status: "rejected",
          fingerprint: null,
          reason: expect.stringMatching(/^Unknown target: no label names a workload, pod or node/),
        }),
        expect.objectContaining({ status: "created" }),
        expect.objectContaining({ status: "rejected", reason: 'the alert has no "alertname" label' }),
      ]);
      expect(await t.remediationItems()).toHaveLength(1);
    });

    it("commonLabels are merged into each alert (a sender that does not repeat them), the alert's own winning", async () => {
      const body = {
        version: "4",
        status: "firing",
        commonLabels: { namespace: "shop", deployment: "cart", severity: "warning" },
        alerts: [
          {
            status: "firing",
            labels: { alertname: "KubePodCrashLooping" },
            startsAt: "2026-12-04T10:00:00Z",
          },
          {
            status: "firing",
            labels: { alertname: "KubePodCrashLooping", deployment: "checkout" },
            startsAt: "2026-12-04T10:00:00Z",
          },
        ],
      };
      const results = await accepted(await t.postAlerts(body));
      expect(results.map((r) => [r.status, r.fingerprint])).toEqual([
        ["created", fingerprintOf({ kind: "Deployment", name: "cart", namespace: "shop" })],
        ["created", fingerprintOf({ kind: "Deployment", name: "checkout", namespace: "shop" })],
      ]);
      const [first] = (await t.remediationItems()).filter((i) => i.targetResource.name === "cart");
      expect(first?.signal.labels).toMatchObject({ alertname: "KubePodCrashLooping", severity: "warning" });
    });

    it("an alert without its own status has the group's", async () => {
      const labels = { alertname: "KubePodCrashLooping", namespace: "shop", deployment: "cart" };
      const [created] = await accepted(
        await t.postAlerts({ status: "firing", alerts: [{ labels, startsAt: "2026-12-04T10:00:00Z" }] }),
      );
      expect(created?.status).toBe("created");
      const [resolved] = await accepted(
        await t.postAlerts({ status: "resolved", alerts: [{ labels, startsAt: "2026-12-04T10:00:00Z" }] }),
      );
      expect(resolved).toMatchObject({ status: "resolved", remediationId: created?.remediationId });
    });

    it("a payload without fingerprint fields (older Alertmanager) is accepted", async () => {
      const body = fixture<{ alerts: Array<Record<string, unknown>> }>("multiple-alerts.json");
      for (const alert of body.alerts) delete alert.fingerprint;
      const results = await accepted(await t.postAlerts(body));
      expect(results.map((r) => r.status)).toEqual(["created", "created", "created"]);
    });
  });

  describe("faults", () => {
    it("DynamoDB unreachable → 503 with Retry-After, so Alertmanager redelivers", async () => {
      const dead = new RemediationStore(
        documentClient(createDynamoClient({ region: "us-east-1", endpoint: "http://127.0.0.1:9" })),
        { tableName: "nowhere", remediationRetentionDays: 90, auditRetentionDays: 365 },
      );
      const app = createApp({ config: t.config, store: dead, starter: t.starter });
      const response = await app.request("/api/v1/signals/prometheus", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${WEBHOOK_TOKEN}` },
        body: JSON.stringify(fixture("sample-alert.json")),
      });
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      expect(await response.json()).toEqual({ error: { code: "unavailable", message: expect.any(String) } });
      expect(t.starter.started).toEqual([]);
    });

    it("a failed StartExecution answers 503; the redelivery starts the same remediation, once", async () => {
      t.starter.failNext = 1;
      const failed = await t.postAlerts(fixture("pod-crash.json"));
      expect(failed.status).toBe(503);
      expect(failed.headers.get("retry-after")).toBe("5");
      const [stranded] = await t.remediationItems();
      expect(stranded).toMatchObject({ phase: "Pending" });
      expect((await t.store.readFingerprint(stranded?.fingerprint)).activeStartFailedAt).toBeDefined();

      // Alertmanager redelivers the group: no second remediation, the same one is started.
      const [retried] = await accepted(await t.postAlerts(fixture("pod-crash.json")));
      expect(retried).toMatchObject({ status: "deduplicated", remediationId: stranded?.id });
      expect(t.starter.started).toEqual([stranded?.id]);
      expect(await t.remediationItems()).toHaveLength(1);
      const state = await t.store.readFingerprint(stranded?.fingerprint);
      expect(state.activeExecutionStartedAt).toBeDefined();
      expect(state.activeStartFailedAt).toBeUndefined();
      const timeline = (await t.store.timeline(stranded?.id))?.audit.map((e) => e.type);
      expect(timeline).toEqual(["RemediationCreated", "ExecutionRestartRequested"]);

      // Once started, further redeliveries just count.
      await accepted(await t.postAlerts(fixture("pod-crash.json")));
      expect(t.starter.started).toHaveLength(1);
    });

    it("a crash between the write and StartExecution is recovered after the grace period", async () => {
      let now = new Date("2026-11-25T10:00:00Z");
      const timed = await createTestApp({}, { now: () => now });
      // Simulate the crash: the remediation is written but no execution was ever started.
      timed.starter.failNext = 1;
      const crashed = await timed.postAlerts(fixture("pod-crash.json"));
      expect(crashed.status).toBe(503);
      const [rr] = await timed.remediationItems();
      // A crashed process never writes the start-failed marker: remove it so only the grace period helps.
      await timed.db.send(
        new UpdateCommand({
          TableName: timed.config.storage.tableName,
          Key: { pk: `FP#${rr?.fingerprint}`, sk: "STATE" },
          UpdateExpression: "REMOVE activeStartFailedAt",
        }),
      );

      const [within] = await accepted(await timed.postAlerts(fixture("pod-crash.json")));
      expect(within).toMatchObject({ status: "deduplicated", remediationId: rr?.id });
      expect(timed.starter.started).toEqual([]);

      now = new Date(now.getTime() + 31_000);
      const [after] = await accepted(await timed.postAlerts(fixture("pod-crash.json")));
      expect(after).toMatchObject({
        status: "deduplicated",
        remediationId: rr?.id,
        reason: expect.stringMatching(/started it again/),
      });
      expect(timed.starter.started).toEqual([rr?.id]);
    });
  });
});
