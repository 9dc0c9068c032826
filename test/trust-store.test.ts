import { documentClient, TrustStore } from "@kubernaut/store";
import { describe, expect, it } from "vitest";
import { createTestStore, testConfig } from "./support/store";

/**
 * The trust records' statistics drive graduation, and two kinds of writer touch them: operators changing
 * a level, and the pipeline and effectiveness monitor counting. Neither may erase the other's work.
 */
describe("TrustStore", () => {
  async function setUp() {
    const config = testConfig();
    const { db, client } = await createTestStore(config);
    return {
      trust: new TrustStore(db, config.storage.tableName),
      // A second client, as a second Lambda container would have: the count it sends is a real,
      // separate request to DynamoDB Local.
      other: new TrustStore(documentClient(client), config.storage.tableName),
      db,
    };
  }

  it("a count landing between a level change's read and its write is kept", async () => {
    // Prepare: a registered workflow, and a count that lands while the level change is in flight —
    // right before the level change's own write reaches DynamoDB.
    const { trust, other, db } = await setUp();
    await trust.get("restart-pod-v1", "approve");
    let counted = false;
    db.middlewareStack.add(
      (next, context) => async (args) => {
        const write = context.commandName === "PutItemCommand" || context.commandName === "UpdateItemCommand";
        if (write && !counted) {
          counted = true;
          await other.count("restart-pod-v1", { remediations: 1, approvals: 1 });
        }
        return next(args);
      },
      { step: "initialize", name: "concurrentCount" },
    );

    // Act
    const { after } = await trust.setLevel(
      "restart-pod-v1",
      { level: "automate", actor: "ops", reason: "graduated", at: new Date() },
      "approve",
    );

    // Assess: both writes stand.
    expect(counted).toBe(true);
    expect(after.level).toBe("automate");
    const stored = await other.get("restart-pod-v1", "approve");
    expect(stored).toMatchObject({ level: "automate", changedBy: "ops", reason: "graduated" });
    expect(stored.stats).toMatchObject({ remediations: 1, approvals: 1 });
  });

  it("concurrent level changes in different namespaces and counts all stand", async () => {
    const { trust } = await setUp();
    await trust.get("restart-pod-v1", "observe");
    const namespaces = Array.from({ length: 8 }, (_, i) => `team-${i}`);

    await Promise.all([
      ...namespaces.map((ns) =>
        trust.setLevel(
          "restart-pod-v1",
          { level: "automate", namespaces: [ns], actor: "ops", reason: `graduate ${ns}`, at: new Date() },
          "observe",
        ),
      ),
      ...namespaces.map(() => trust.count("restart-pod-v1", { remediations: 1 })),
    ]);

    const stored = await trust.get("restart-pod-v1", "observe");
    expect(stored.level).toBe("observe");
    expect(stored.namespaces).toEqual(Object.fromEntries(namespaces.map((ns) => [ns, "automate"])));
    expect(stored.stats.remediations).toBe(namespaces.length);
  });

  it("a level change returns the record before and after, for the audit", async () => {
    const { trust } = await setUp();
    const first = await trust.setLevel(
      "restart-pod-v1",
      { level: "automate", namespaces: ["payments"], actor: "ops", reason: "r1", at: new Date() },
      "approve",
    );
    expect(first.before).toMatchObject({ level: "approve", namespaces: {} });
    expect(first.after).toMatchObject({ level: "approve", namespaces: { payments: "automate" } });
    const second = await trust.setLevel(
      "restart-pod-v1",
      { level: "observe", actor: "ops", reason: "r2", at: new Date() },
      "approve",
    );
    expect(second.before).toMatchObject({ level: "approve", namespaces: { payments: "automate" } });
    expect(second.after).toMatchObject({ level: "observe", namespaces: {}, reason: "r2" });
  });

  it.each([["observe" as const], ["approve" as const]])(
    "counting for a workflow never registered registers it (at %s) instead of failing",
    async (level) => {
      const { trust } = await setUp();

      await trust.count(
        "never-seen-v1",
        { remediations: 1, approvals: 1 },
        { approvalsInRow: "increment", registerAs: level },
      );

      const stored = await trust.get("never-seen-v1", "automate");
      expect(stored.level).toBe(level);
      expect(stored.stats).toMatchObject({ remediations: 1, approvals: 1, approvalsInRow: 1 });
    },
  );
});
