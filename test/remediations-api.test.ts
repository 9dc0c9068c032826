import { verifyAuditChain } from "@kubernaut/core";
import { beforeAll, describe, expect, it } from "vitest";
import { webhook } from "./support/alerts";
import { createTestApp, type TestApp } from "./support/app";
import { fixture } from "./support/fixtures";
import { ADMIN_TOKEN, VIEWER_TOKEN } from "./support/store";

describe("read routes", () => {
  let t: TestApp;
  let ids: string[];
  const get = (path: string, token: string | null = VIEWER_TOKEN) =>
    t.app.request(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    t = await createTestApp();
    const response = await t.postAlerts(fixture("multiple-alerts.json"));
    const { accepted } = (await response.json()) as { accepted: Array<{ remediationId: string }> };
    ids = accepted.map((a) => a.remediationId);
    await t.postAlerts(
      webhook([{ labels: { alertname: "KubePodCrashLooping", namespace: "staging", deployment: "web" } }]),
    );
    const actor = { type: "system" as const, id: "test" };
    await t.store.transition(
      ids[0] as string,
      { from: ["Pending"], to: "Completed", outcome: "DryRun", seed: true },
      actor,
    );
  });

  it("GET /healthz needs no token", async () => {
    const response = await t.app.request("/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it.each([
    ["no token", null, 401],
    ["an unknown token", "nope", 401],
  ])("%s → %d", async (_case, token, status) => {
    const response = await get("/api/v1/remediations", token);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
  });

  it("lists every remediation, newest first, for a viewer or an admin", async () => {
    for (const token of [VIEWER_TOKEN, ADMIN_TOKEN]) {
      const response = await get("/api/v1/remediations", token);
      expect(response.status).toBe(200);
      const { items } = (await response.json()) as { items: Array<{ id: string; createdAt: string }> };
      expect(items).toHaveLength(4);
      const created = items.map((i) => i.createdAt);
      expect(created).toEqual([...created].sort().reverse());
    }
  });

  it.each([
    ["phase=Completed", 1],
    ["phase=Pending", 3],
    ["outcome=DryRun", 1],
    ["namespace=staging", 1],
    ["namespace=production&phase=Pending", 2],
  ])("filters by %s", async (query, count) => {
    const response = await get(`/api/v1/remediations?${query}`);
    const { items } = (await response.json()) as { items: unknown[] };
    expect(items).toHaveLength(count);
  });

  it("filters by fingerprint", async () => {
    const one = await t.store.get(ids[1] as string);
    const response = await get(`/api/v1/remediations?fingerprint=${one?.fingerprint}`);
    const { items } = (await response.json()) as { items: Array<{ id: string }> };
    expect(items.map((i) => i.id)).toEqual([ids[1]]);
  });

  it("pages with a cursor until every item was seen once", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const response = await get(`/api/v1/remediations?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      const page = (await response.json()) as { items: Array<{ id: string }>; cursor?: string };
      seen.push(...page.items.map((i) => i.id));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
  });

  it("refuses a crafted cursor, or one reused under another filter, with a 400 (never a 500)", async () => {
    const first = await get("/api/v1/remediations?limit=1");
    const { cursor } = (await first.json()) as { cursor: string };
    const crafted = Buffer.from("{}").toString("base64url");
    const forged = Buffer.from(JSON.stringify({ pk: "RR#x", sk: "RR", gsi3pk: "RR" })).toString("base64url");
    for (const query of [
      `cursor=${crafted}`,
      `cursor=${forged}`,
      `phase=Pending&cursor=${cursor}`,
      `fingerprint=${"a".repeat(64)}&cursor=${cursor}`,
    ]) {
      const response = await get(`/api/v1/remediations?${query}`);
      expect(response.status, query).toBe(400);
      const { error } = (await response.json()) as { error: { message: string } };
      expect(error.message, query).toContain("cursor");
    }
    expect((await get(`/api/v1/remediations?limit=1&cursor=${cursor}`)).status).toBe(200);
  });

  it.each([
    ["phase=Done", "phase:"],
    ["limit=0", "limit:"],
    ["fingerprint=abc", "fingerprint: must be a 64-character hex fingerprint"],
    ["cursor=%7B%7D%7D", "cursor:"],
    ["color=blue", 'Unrecognized key: "color"'],
  ])("rejects %s naming the parameter", async (query, message) => {
    const response = await get(`/api/v1/remediations?${query}`);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("invalid_request");
    expect(error.message).toContain(message);
  });

  it("GET /api/v1/remediations/{id} returns the remediation with its verifiable audit timeline", async () => {
    const response = await get(`/api/v1/remediations/${ids[0]}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      remediation: { id: string; phase: string; outcome: string };
      timeline: Parameters<typeof verifyAuditChain>[0];
    };
    expect(body.remediation).toMatchObject({ id: ids[0], phase: "Completed", outcome: "DryRun" });
    expect(body.timeline.map((e) => e.type)).toEqual(["RemediationCreated", "PhaseChanged"]);
    expect(body.timeline[1]).toMatchObject({
      details: { from: "Pending", to: "Completed", outcome: "DryRun" },
    });
    expect(verifyAuditChain(body.timeline)).toEqual({ ok: true });
  });

  it.each([
    ["rr-0000000000-000000000000-000000", 404, "not_found"],
    ["..%2F..%2Fetc", 400, "invalid_request"],
  ])("GET /api/v1/remediations/%s → %d", async (id, status, code) => {
    const response = await get(`/api/v1/remediations/${id}`);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
  });

  it("an unknown route is a JSON 404", async () => {
    const response = await get("/api/v1/nothing");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: "not_found", message: "no route for GET /api/v1/nothing" },
    });
  });
});
