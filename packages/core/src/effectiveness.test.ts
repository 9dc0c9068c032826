import { describe, expect, it } from "vitest";
import { healthScore, scoreAssessment } from "./effectiveness";

describe("healthScore", () => {
  it.each([
    [
      [
        { ready: true, restarts: 0 },
        { ready: true, restarts: 0 },
      ],
      1,
    ],
    [[{ ready: true, restarts: 2 }], 0.75],
    [
      [
        { ready: true, restarts: 0 },
        { ready: false, restarts: 0 },
      ],
      0.5,
    ],
    [[{ ready: false, restarts: 3, waiting: "CrashLoopBackOff", lastTermination: "OOMKilled" }], 0.25],
    [[{ ready: false, restarts: 3, waiting: "CrashLoopBackOff", lastTermination: "Error" }], 0],
    [[], 0],
  ])("%j → %d", (pods, score) => {
    expect(healthScore(pods)).toBe(score);
  });
});

describe("scoreAssessment", () => {
  const all = ["health", "alert", "metrics"] as const;
  it.each([
    {
      case: "all components perfect",
      components: { health: 1, alert: 1, metrics: 1 },
      expected: all,
      result: { score: 1, reason: "Full", outcome: "Remediated" },
    },
    {
      case: "weighted mean",
      components: { health: 0.5, alert: 1, metrics: 0 },
      expected: all,
      result: { score: 0.55, reason: "Full", outcome: "Remediated" },
    },
    {
      case: "no Prometheus: metrics not assessed, not zero",
      components: { health: 1, alert: 1 },
      expected: ["health", "alert"] as const,
      result: { score: 1, reason: "Full", outcome: "Remediated" },
    },
    {
      case: "a component that should have been assessed but was not",
      components: { health: 1 },
      expected: all,
      result: { score: 1, reason: "Partial", outcome: "Remediated" },
    },
    {
      case: "poor health",
      components: { health: 0, alert: 0 },
      expected: ["health", "alert"] as const,
      result: { score: 0, reason: "Full", outcome: "Inconclusive" },
    },
  ])("$case", ({ components, expected, result }) => {
    expect(
      scoreAssessment({
        components,
        expected,
        specDrift: false,
        targetGone: false,
        alertDecayTimedOut: false,
      }),
    ).toEqual(result);
  });

  it.each([
    [
      { specDrift: true, targetGone: false, alertDecayTimedOut: false },
      { score: 0, reason: "SpecDrift", outcome: "Inconclusive" },
    ],
    [
      { specDrift: false, targetGone: true, alertDecayTimedOut: false },
      { score: 0, reason: "Unrecoverable", outcome: "Inconclusive" },
    ],
    [
      { specDrift: false, targetGone: false, alertDecayTimedOut: true },
      { score: 0.533, reason: "AlertDecayTimeout", outcome: "Remediated" },
    ],
  ])("%j", (flags, result) => {
    expect(
      scoreAssessment({ components: { health: 1, alert: 0 }, expected: ["health", "alert"], ...flags }),
    ).toEqual(result);
  });
});
