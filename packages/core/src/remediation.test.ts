import { describe, expect, it } from "vitest";
import { canTransition, isTerminal, PHASE_TRANSITIONS, PHASES, type Phase } from "./remediation";

describe("the phase transitions", () => {
  it("are the same terminal phases as DESIGN §4 lists: the ones with no way out", () => {
    expect(PHASES.filter(isTerminal)).toEqual([
      "Blocked",
      "Completed",
      "Failed",
      "TimedOut",
      "Skipped",
      "Cancelled",
    ]);
  });

  it.each<[Phase, Phase, boolean]>([
    ["Pending", "Processing", true],
    ["Pending", "Cancelled", true],
    ["Pending", "Completed", false],
    ["Pending", "Verifying", false],
    ["Processing", "Skipped", true],
    ["Processing", "Analyzing", true],
    ["Analyzing", "Completed", true],
    ["Analyzing", "Blocked", true],
    ["Analyzing", "AwaitingApproval", true],
    ["Analyzing", "Processing", false],
    ["AwaitingApproval", "Executing", true],
    ["AwaitingApproval", "Failed", true],
    ["Executing", "Verifying", true],
    ["Executing", "TimedOut", true],
    ["Executing", "AwaitingApproval", false],
    ["Verifying", "Completed", true],
    ["Verifying", "Executing", false],
    ["Completed", "Failed", false],
    ["Failed", "Completed", false],
  ])("%s → %s allowed: %s", (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it("lets every phase still in flight fail, time out or be cancelled", () => {
    for (const phase of PHASES.filter((p) => !isTerminal(p)))
      expect(PHASE_TRANSITIONS[phase], phase).toEqual(
        expect.arrayContaining(["Failed", "TimedOut", "Cancelled"]),
      );
  });

  it("never moves back to Pending", () => {
    expect(PHASES.filter((phase) => canTransition(phase, "Pending"))).toEqual([]);
  });
});
