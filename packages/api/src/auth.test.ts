import { createHash } from "node:crypto";
import { apiAuth, webhookAuth } from "@kubernaut/http";
import { metrics } from "@kubernaut/telemetry";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { withErrorHandling } from "./app-errors";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

/** Refusals before any identity is established are not audited (anyone can send them): they are counted. */
describe("authentication refusals are counted", () => {
  const app = new Hono();
  withErrorHandling(app);
  app.get(
    "/approver-only",
    apiAuth([{ name: "vera", role: "viewer", sha256: sha("viewer-token"), scopes: [] }], "approver"),
    (c) => c.text("ok"),
  );
  app.post("/webhook", webhookAuth("webhook-token"), (c) => c.text("ok"));
  const refused = (door: string, reason: string) =>
    metrics.value("kubernaut_requests_refused_total", { door, reason }) ?? 0;

  it.each([
    ["api", "missing_token", "/approver-only", "GET", {}, 401],
    ["api", "invalid_token", "/approver-only", "GET", { authorization: "Bearer nope" }, 401],
    ["api", "role", "/approver-only", "GET", { authorization: "Bearer viewer-token" }, 403],
    ["webhook", "missing_token", "/webhook", "POST", {}, 401],
    ["webhook", "invalid_token", "/webhook", "POST", { authorization: "Bearer nope" }, 401],
  ])("%s: %s", async (door, reason, path, method, headers, status) => {
    const before = refused(door, reason);

    const response = await app.request(path, { method, headers });

    expect(response.status).toBe(status);
    expect(refused(door, reason)).toBe(before + 1);
  });
});
