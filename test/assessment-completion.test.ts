import { createHash } from "node:crypto";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { RemediationRequest } from "@kubernaut/core";
import { type AssessDeps, assessDue } from "@kubernaut/effectiveness";
import { AssessmentStore, documentClient, keys, RemediationStore, TrustStore } from "@kubernaut/store";
import { describe, expect, it } from "vitest";
import { createTestStore, testConfig } from "./support/store";

const WORKFLOW = "crashloop-rollback-v1";
const PIPELINE = { type: "system", id: "pipeline", channel: "pipeline" } as const;

/** A remediation the pipeline left in Verifying; its resolved alert gives the assessment a score. */
function verifying(id: string): RemediationRequest {
  return {
    id,
    fingerprint: createHash("sha256").update(id).digest("hex"),
    phase: "Pending",
    signal: {
      source: "prometheus",
      alertName: "KubePodCrashLooping",
      severity: "critical",
      labels: { alertname: "KubePodCrashLooping", namespace: "staging", deployment: "checkout" },
      annotations: {},
      startsAt: "2026-11-26T02:23:40.000Z",
      receivedAt: "2026-11-26T02:23:40.856Z",
    },
    targetResource: { kind: "Deployment", name: "checkout", namespace: "staging" },
    targetSource: "label",
    executionName: id,
    signalResolvedAt: "2026-11-26T02:30:00.000Z",
    createdAt: "2026-11-26T02:23:40.856Z",
    updatedAt: "2026-11-26T02:23:41.895Z",
  };
}

/**
 * The monitor's write of a finished assessment (issue 22): after the claim, one read of the remediation
 * and one transaction — the assessment's completion, the remediation's move to Completed with its audit
 * event and fingerprint phase, and the workflow's statistics — on DynamoDB Local.
 */
describe("completing an assessment", () => {
  async function setUp() {
    const config = testConfig();
    const { db, client, store } = await createTestStore(config);
    const table = config.storage.tableName;
    const assessments = new AssessmentStore(db, table);
    const trust = new TrustStore(db, table);
    // A second client, as another Lambda container would have: its writes are not in `operations`.
    const other = documentClient(client);
    const otherStore = new RemediationStore(other, {
      tableName: table,
      remediationRetentionDays: 90,
      auditRetentionDays: 365,
    });
    const due = new Date(Date.now() - 60_000);
    const seed = async (id: string) => {
      const rr = verifying(id);
      expect(await store.createRemediation(rr, undefined, PIPELINE)).toBe("created");
      await store.transition(id, { from: ["Pending"], to: "Verifying", seed: true }, PIPELINE);
      await assessments.schedule({
        remediationId: id,
        fingerprint: rr.fingerprint,
        workflowId: WORKFLOW,
        target: { kind: "Deployment", name: "checkout", namespace: "staging" },
        alertName: "KubePodCrashLooping",
        executedAt: due.toISOString(),
        dueAt: due.toISOString(),
      });
    };
    const deps: AssessDeps = { config: () => config, store, assessments, trust };
    /** The DynamoDB operations `work` sends through the monitor's client, in order. */
    const operations = async (work: () => Promise<unknown>) => {
      const seen: string[] = [];
      const name = `ops-${Math.random()}`;
      db.middlewareStack.add(
        (next, context) => async (args) => {
          seen.push(String(context.commandName).replace(/Command$/, ""));
          return next(args);
        },
        { step: "initialize", name },
      );
      try {
        await work();
      } finally {
        db.middlewareStack.remove(name);
      }
      return seen;
    };
    /** Runs `action` once, just before the monitor's first TransactWriteItems reaches DynamoDB. */
    const beforeTransaction = (action: () => Promise<void>) => {
      let done = false;
      db.middlewareStack.add(
        (next, context) => async (args) => {
          if (!done && context.commandName === "TransactWriteItemsCommand") {
            done = true;
            await action();
          }
          return next(args);
        },
        { step: "initialize", name: `before-${Math.random()}` },
      );
    };
    return {
      config,
      db,
      other,
      store,
      otherStore,
      assessments,
      trust,
      seed,
      deps,
      operations,
      beforeTransaction,
    };
  }

  it("is one TransactWriteItems after the claim and one read of the remediation, then the statistics' own update", async () => {
    // Prepare
    const { store, assessments, trust, seed, deps, operations } = await setUp();
    await trust.get(WORKFLOW, "approve");
    await seed("rr-one");

    // Act
    let run: Awaited<ReturnType<typeof assessDue>> | undefined;
    const ops = await operations(async () => {
      run = await assessDue(deps);
    });

    // Assess: the due query, the claim, the read, the transaction, then the workflow's statistics apart
    // (never inside a transaction: every assessment of a workflow writes that one record).
    expect(ops).toEqual(["Query", "UpdateItem", "GetItem", "TransactWriteItems", "UpdateItem"]);
    expect(run?.processed).toEqual(["rr-one"]);
    expect(await store.get("rr-one")).toMatchObject({
      phase: "Completed",
      outcome: "Remediated",
      effectiveness: { score: 1, reason: "Full" },
    });
    const timeline = await store.timeline("rr-one");
    expect(timeline?.audit.at(-1)).toMatchObject({ type: "EffectivenessAssessed" });
    expect(await assessments.get("rr-one")).toMatchObject({ status: "Completed", score: 1 });
    expect(await assessments.get("rr-one")).not.toHaveProperty("claimedBy");
    expect((await store.readFingerprint(verifying("rr-one").fingerprint)).activePhase).toBe("Completed");
    expect((await trust.get(WORKFLOW, "approve")).stats).toMatchObject({ assessed: 1, full: 1, scoreSum: 1 });
  });

  it("the notification gets the remediation as written, without reading it again", async () => {
    const { trust, seed, deps, operations } = await setUp();
    await trust.get(WORKFLOW, "approve");
    await seed("rr-notify");
    const announced: Array<RemediationRequest | undefined> = [];

    const ops = await operations(() =>
      assessDue({ ...deps, notify: async (_id, remediation) => void announced.push(remediation) }),
    );

    expect(ops.filter((op) => op === "GetItem")).toHaveLength(1);
    expect(announced).toHaveLength(1);
    expect(announced[0]).toMatchObject({ id: "rr-notify", phase: "Completed", effectiveness: { score: 1 } });
  });

  it("two overlapping runs process each assessment once, and count each once", async () => {
    const { store, trust, seed, deps } = await setUp();
    await trust.get(WORKFLOW, "approve");
    const ids = Array.from({ length: 30 }, (_, i) => `rr-overlap-${i}`);
    for (const id of ids) await seed(id);

    const [a, b] = await Promise.all([assessDue(deps), assessDue(deps)]);

    const all = [...a.processed, ...b.processed];
    expect(all.sort()).toEqual([...ids].sort());
    expect((await trust.get(WORKFLOW, "approve")).stats).toMatchObject({ assessed: 30, scoreSum: 30 });
    for (const id of ids) {
      const timeline = await store.timeline(id);
      expect(timeline?.remediation.phase).toBe("Completed");
      expect(timeline?.audit.filter((e) => e.type === "EffectivenessAssessed")).toHaveLength(1);
    }
  });

  it("a workflow without a trust record does not fail the completion: it is registered and counted", async () => {
    const { store, assessments, trust, seed, deps } = await setUp();
    await seed("rr-unregistered");

    const run = await assessDue(deps);

    expect(run.processed).toEqual(["rr-unregistered"]);
    expect((await store.get("rr-unregistered"))?.phase).toBe("Completed");
    expect((await assessments.get("rr-unregistered"))?.status).toBe("Completed");
    const record = await trust.get(WORKFLOW, "approve");
    expect(record.level).toBe("observe");
    expect(record.stats).toMatchObject({ assessed: 1, full: 1, scoreSum: 1 });
  });

  it("a remediation completed meanwhile: the assessment alone is completed and counted", async () => {
    const { store, otherStore, assessments, trust, seed, deps, beforeTransaction } = await setUp();
    await trust.get(WORKFLOW, "approve");
    await seed("rr-meanwhile");
    // An operator closes it between the monitor's read and its write.
    beforeTransaction(async () => {
      await otherStore.transition(
        "rr-meanwhile",
        { from: ["Verifying"], to: "Completed", outcome: "Inconclusive", reason: "closed by an operator" },
        { type: "user", id: "ops", channel: "api" },
      );
    });

    const run = await assessDue(deps);

    expect(run.processed).toEqual(["rr-meanwhile"]);
    expect(await store.get("rr-meanwhile")).toMatchObject({
      phase: "Completed",
      outcome: "Inconclusive",
      reason: "closed by an operator",
    });
    expect(await assessments.get("rr-meanwhile")).toMatchObject({ status: "Completed", score: 1 });
    expect((await trust.get(WORKFLOW, "approve")).stats).toMatchObject({ assessed: 1 });
  });

  it("a run whose claim was taken over writes nothing", async () => {
    const { config, other, store, assessments, trust, seed, deps, beforeTransaction } = await setUp();
    await trust.get(WORKFLOW, "approve");
    await seed("rr-taken");
    // This run's claim lapsed and another run claimed the assessment before this one wrote.
    beforeTransaction(async () => {
      await other.send(
        new UpdateCommand({
          TableName: config.storage.tableName,
          Key: keys.assessment("rr-taken"),
          UpdateExpression: "SET claimedBy = :run",
          ExpressionAttributeValues: { ":run": "run-other" },
        }),
      );
    });

    const run = await assessDue(deps);

    expect(run.processed).toEqual([]);
    expect((await store.get("rr-taken"))?.phase).toBe("Verifying");
    expect(await assessments.get("rr-taken")).toMatchObject({ status: "Claimed", claimedBy: "run-other" });
    expect((await trust.get(WORKFLOW, "approve")).stats.assessed).toBe(0);
  });
});
