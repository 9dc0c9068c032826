import { describe, expect, it } from "vitest";
import { formatDuration, InvalidDurationError, parseDuration } from "./duration";

describe("parseDuration", () => {
  it.each([
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["1h30m", 5_400_000],
    ["168h", 604_800_000],
    ["1.5s", 1_500],
    ["250ms", 250],
  ])("%s → %d ms", (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each(["", "5", "5 minutes", "-5m", "1d", "m5"])("rejects %j", (input) => {
    expect(() => parseDuration(input)).toThrow(InvalidDurationError);
  });
});

describe("formatDuration", () => {
  it.each([
    [3_600_000, "1h"],
    [90_000, "1m30s"],
    [300_000, "5m"],
    [0, "0s"],
  ])("%d → %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
