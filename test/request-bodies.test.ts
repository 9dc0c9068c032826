import { trust } from "@kubernaut/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPipelineHarness, type PipelineHarness } from "./support/pipeline";
import { ADMIN_TOKEN, WEBHOOK_TOKEN } from "./support/store";

/**
 * Every route that takes a body says which body it expects, with an example, when it gets none — not
 * "expected object, received undefined" — and writes nothing.
 */
describe("a request without its body", () => {
  let h: PipelineHarness;
  beforeAll(async () => {
    h = await createPipelineHarness();
  });
  afterAll(async () => h?.pipeline.close());

  it.each([
    ["PATCH", "/api/v1/workflows/restart-pod-v1/trust", "invalid trust change", '{"level":"automate"'],
    ["POST", `/api/v1/fingerprints/${"a".repeat(64)}/release`, "invalid release", '{"reason":'],
    ["PUT", "/api/v1/pause", "invalid pause", '{"reason":"cluster upgrade in progress"}'],
    ["POST", "/api/v1/approvals/rar-0123456789ab/decision", "invalid decision", '{"decision":"Approved"'],
  ])("%s %s answers 400 naming the body it expects", async (method, path, what, example) => {
    for (const body of [undefined, "not json", "[]"]) {
      const response = await h.app.request(path, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body }),
      });
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe("invalid_request");
      expect(error.message).toMatch(new RegExp(`^${what}: `));
      expect(error.message).toContain("expected a JSON body (Content-Type: application/json) like ");
      expect(error.message).toContain(example);
      expect(error.message).not.toContain("received undefined");
    }
    expect((await trust(h.rt).paused()).paused).toBe(false);
  });

  it("the webhook shows the Alertmanager body it expects", async () => {
    const response = await h.app.request("/api/v1/signals/prometheus", {
      method: "POST",
      headers: { authorization: `Bearer ${WEBHOOK_TOKEN}`, "content-type": "application/json" },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      'expected an Alertmanager v4 webhook like {"version":"4"',
    );
  });
});
