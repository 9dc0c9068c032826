import { describe, expect, it } from "vitest";
import { statisticsOf } from "./assess";

describe("statisticsOf", () => {
  const now = new Date("2026-11-26T03:00:00.000Z");

  it.each([
    {
      case: "a full success counts as assessed and full",
      result: { score: 1, reason: "Full" },
      expected: { delta: { assessed: 1, full: 1, scoreSum: 1 }, extra: {} },
    },
    {
      case: "a partial pass counts its score, not as full",
      result: { score: 0.75, reason: "Partial" },
      expected: { delta: { assessed: 1, full: 0, scoreSum: 0.75 }, extra: {} },
    },
    {
      case: "a score under 0.5 is a failure, with its reason",
      result: { score: 0.2, reason: "SpecDrift" },
      expected: {
        delta: { assessed: 1, full: 0, scoreSum: 0.2 },
        extra: { failure: { at: now.toISOString(), reason: "SpecDrift" } },
      },
    },
    {
      case: "0.5 is not a failure",
      result: { score: 0.5, reason: "Full" },
      expected: { delta: { assessed: 1, full: 1, scoreSum: 0.5 }, extra: {} },
    },
    {
      case: "nothing measured is neither assessed nor a failure",
      result: { score: null, reason: "Expired" },
      expected: undefined,
    },
  ])("$case", ({ result, expected }) => {
    // Act
    const statistics = statisticsOf(result, now);

    // Assess
    expect(statistics).toEqual(expected);
  });
});
