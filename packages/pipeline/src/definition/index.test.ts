import { describe, expect, it } from "vitest";
import { buildDefinition, localFunctionArn } from "./index";

type Clause = { Next: string };
type AnyState = {
  Type: string;
  Next?: string;
  Default?: string;
  Choices?: Clause[];
  Catch?: Clause[];
  Parameters?: { Payload?: Record<string, unknown> };
};

const states = buildDefinition({ functionArn: localFunctionArn }).States as Record<string, AnyState>;
const caughtInto = new Set(Object.values(states).flatMap((s) => (s.Catch ?? []).map((c) => c.Next)));
const reachedOtherwise = new Set(
  Object.values(states).flatMap((s) => [
    ...(s.Next ? [s.Next] : []),
    ...(s.Default ? [s.Default] : []),
    ...(s.Choices ?? []).map((c) => c.Next),
  ]),
);
const finishes = Object.entries(states).filter(
  ([, s]) => s.Type === "Task" && s.Parameters?.Payload && "result" in s.Parameters.Payload,
);

describe("the finish states' error", () => {
  it.each(finishes)("%s reads $.error exactly when a Catch leads there", (name, state) => {
    const payload = state.Parameters?.Payload ?? {};
    if (caughtInto.has(name)) {
      expect(payload["error.$"]).toBe("$.error");
      expect(payload).not.toHaveProperty("error");
    } else {
      expect(payload.error).toBeNull();
      expect(payload).not.toHaveProperty("error.$");
    }
  });

  it("no Catch target is also reached without an error (where $.error would be missing)", () => {
    expect([...caughtInto].filter((name) => reachedOtherwise.has(name))).toEqual([]);
  });

  it("the catch paths are the ones the hard-coded list named before it was derived", () => {
    expect([...caughtInto].sort()).toEqual([
      "RecordExpired",
      "RecordFailure",
      "RecordObserveOnly",
      "RecordRejected",
      "RecordResourceBusy",
    ]);
  });
});
