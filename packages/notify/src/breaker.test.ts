import { describe, expect, it } from "vitest";
import { admit, afterAttempt, type BreakerState, CLOSED } from "./breaker";

const settings = { failureThreshold: 3, openForMs: 30_000 };

describe("circuit breaker", () => {
  it.each<{ case: string; state: BreakerState; now: number; expected: ReturnType<typeof admit> }>([
    { case: "closed admits", state: CLOSED, now: 0, expected: { admit: true, probe: false } },
    {
      case: "open rejects until openUntil",
      state: { state: "open", consecutiveFailures: 3, openUntil: 30_000 },
      now: 29_999,
      expected: { admit: false, retryAt: 30_000 },
    },
    {
      case: "open admits one probe after the open period",
      state: { state: "open", consecutiveFailures: 3, openUntil: 30_000 },
      now: 30_000,
      expected: { admit: true, probe: true },
    },
    {
      case: "half-open rejects others while the probe is out",
      state: { state: "halfOpen", consecutiveFailures: 3, probeStartedAt: 30_000 },
      now: 31_000,
      expected: { admit: false, retryAt: 60_000 },
    },
    {
      case: "a probe lost for a whole open period is replaced",
      state: { state: "halfOpen", consecutiveFailures: 3, probeStartedAt: 30_000 },
      now: 60_000,
      expected: { admit: true, probe: true },
    },
  ])("$case", ({ state, now, expected }) => {
    expect(admit(state, now, settings)).toEqual(expected);
  });

  it.each<{ case: string; state: BreakerState; outcome: "success" | "failure"; expected: BreakerState }>([
    {
      case: "a success closes and resets",
      state: { state: "halfOpen", consecutiveFailures: 3 },
      outcome: "success",
      expected: CLOSED,
    },
    {
      case: "failures below the threshold count",
      state: { state: "closed", consecutiveFailures: 1 },
      outcome: "failure",
      expected: { state: "closed", consecutiveFailures: 2 },
    },
    {
      case: "the third consecutive failure opens it",
      state: { state: "closed", consecutiveFailures: 2 },
      outcome: "failure",
      expected: { state: "open", consecutiveFailures: 3, openUntil: 1_000 + 30_000 },
    },
    {
      case: "a failed probe opens it again",
      state: { state: "halfOpen", consecutiveFailures: 3, probeStartedAt: 0 },
      outcome: "failure",
      expected: { state: "open", consecutiveFailures: 4, openUntil: 31_000 },
    },
  ])("$case", ({ state, outcome, expected }) => {
    expect(afterAttempt(state, outcome, 1_000, settings)).toEqual(expected);
  });
});
