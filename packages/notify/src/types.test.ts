import { describe, expect, it } from "vitest";
import { isOscillating } from "./oscillation";
import { notificationPriority } from "./types";

describe("notificationPriority", () => {
  it.each([
    ["P0", "Critical"],
    ["P1", "High"],
    ["P2", "Medium"],
    ["P3", "Low"],
    [undefined, "Low"],
  ] as const)("%s → %s", (priority, expected) => {
    expect(notificationPriority(priority)).toBe(expected);
  });
});

describe("isOscillating", () => {
  const hour = 3_600_000;
  it.each([
    { case: "within the limit", times: [0, 10, 20], expected: false },
    { case: "one over the limit in the window", times: [0, 10, 20, 30], expected: true },
    { case: "already escalated for this window", times: [0, 10, 20, 30, 40], expected: false },
    { case: "old remediations fall out of the window", times: [-2 * hour, 10, 20, 30], expected: false },
  ])("$case", ({ times, expected }) => {
    expect(isOscillating(times, 40, 3, hour)).toBe(expected);
  });
});
