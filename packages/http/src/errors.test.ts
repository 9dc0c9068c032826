import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ApiError, jsonBody, parseBody } from "./errors";

const Release = z.object({ reason: z.string().min(1) }).strict();
const example = { reason: "fixed by hand" };

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error.message;
    throw error;
  }
  return "";
}

describe("parseBody", () => {
  const expected = 'expected a JSON body (Content-Type: application/json) like {"reason":"fixed by hand"}';
  it.each([
    [
      { ok: false as const, problem: "the request has no body" },
      `invalid release: the request has no body; ${expected}`,
    ],
    [jsonBody(undefined), `invalid release: the request has no JSON body; ${expected}`],
    [jsonBody([]), `invalid release: Invalid input: expected object, received array; ${expected}`],
    [jsonBody({ reason: "x", extra: 1 }), `invalid release: Unrecognized key: "extra"; ${expected}`],
    // A field-level problem names the field; the example would only repeat what the field says.
    [jsonBody({ reason: "" }), "invalid release: reason: Too small: expected string to have >=1 characters"],
  ])("%j → %s", (body, message) => {
    expect(messageOf(() => parseBody(Release, body, "release", example))).toBe(message);
  });

  it("returns the parsed body", () => {
    expect(parseBody(Release, jsonBody({ reason: "ok" }), "release", example)).toEqual({ reason: "ok" });
  });
});
