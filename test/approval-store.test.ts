import { ApprovalStore } from "@kubernaut/store";
import { describe, expect, it } from "vitest";
import { createTestStore, testConfig } from "./support/store";

describe("ApprovalStore and a retried request-approval", () => {
  async function setUp() {
    const config = testConfig();
    const { db } = await createTestStore(config);
    const approvals = new ApprovalStore(db, config.storage.tableName, 90);
    const now = new Date();
    const request = {
      id: "rar-0123456789-abc",
      remediationId: "rr-0123456789-abc",
      fingerprint: "f".repeat(64),
      taskToken: "token-of-attempt-1",
      createdAt: now.toISOString(),
      requiredBy: new Date(now.getTime() + 15 * 60_000).toISOString(),
      reason: "production environment",
      degraded: false,
      confidence: 0.9,
      environment: "Production",
    };
    await approvals.createOrRefreshToken(request);
    return { approvals, request, now };
  }

  it("a request decided before the retry gets the retry's token and goes back into the outbox", async () => {
    const { approvals, request, now } = await setUp();
    const decided = await approvals.decide(request.id, {
      decision: "Approved",
      decidedBy: "ops",
      decidedVia: "api",
      at: now,
    });
    // Its delivery went to attempt 1's token, which nobody waits on any more.
    expect(await approvals.markDelivered(request.id, now, "no longer waiting", decided?.taskToken)).toBe(
      true,
    );
    expect(await approvals.undelivered()).toEqual([]);

    const { request: refreshed, created } = await approvals.createOrRefreshToken({
      ...request,
      taskToken: "token-of-attempt-2",
    });

    expect(created).toBe(false);
    expect(refreshed).toMatchObject({ decision: "Approved", taskToken: "token-of-attempt-2" });
    expect(refreshed.deliveredAt).toBeUndefined();
    expect((await approvals.undelivered()).map((a) => a.taskToken)).toEqual(["token-of-attempt-2"]);
  });

  it("a delivery to a token replaced meanwhile does not take the decision out of the outbox", async () => {
    const { approvals, request, now } = await setUp();
    const decided = await approvals.decide(request.id, {
      decision: "Approved",
      decidedBy: "ops",
      decidedVia: "api",
      at: now,
    });
    await approvals.createOrRefreshToken({ ...request, taskToken: "token-of-attempt-2" });

    // The approver's own delivery, still holding attempt 1's token, finishes after the retry's refresh.
    expect(await approvals.markDelivered(request.id, now, undefined, decided?.taskToken)).toBe(false);

    expect((await approvals.undelivered()).map((a) => a.taskToken)).toEqual(["token-of-attempt-2"]);
  });
});
