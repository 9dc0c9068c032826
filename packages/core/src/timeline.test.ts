import { describe, expect, it } from "vitest";
import type { AuditEvent } from "./audit";
import { formatOffset, orderedTimeline } from "./timeline";

const event = (seq: number, at: string, type = "PhaseChanged"): AuditEvent => ({
  seq,
  at,
  type,
  actor: { type: "system", id: "pipeline" },
  prevHash: "",
  hash: "",
});

describe("a timeline in chain order", () => {
  it("orders by sequence, never by the writers' clocks, and says how far a clock is behind", () => {
    const entries = orderedTimeline([
      event(3, "2026-01-01T00:00:01.000Z", "AnalysisCompleted"),
      event(1, "2026-01-01T00:00:00.000Z", "RemediationCreated"),
      // Written after seq 3 by a process whose clock is 12 ms behind.
      event(4, "2026-01-01T00:00:00.988Z", "PolicyEvaluated"),
      event(2, "2026-01-01T00:00:00.500Z", "SignalProcessed"),
      event(5, "2026-01-01T00:00:02.000Z", "ApprovalRequested"),
    ]);
    expect(entries.map((e) => [e.event.type, e.offsetMs, e.skewMs])).toEqual([
      ["RemediationCreated", 0, 0],
      ["SignalProcessed", 500, 0],
      ["AnalysisCompleted", 1000, 0],
      ["PolicyEvaluated", 988, 12],
      ["ApprovalRequested", 2000, 0],
    ]);
  });

  it.each([
    [0, "+0 ms"],
    [350, "+350 ms"],
    [-4, "-4 ms"],
    [1_234, "+1.2 s"],
    [125_000, "+2 min 5 s"],
  ])("shows an offset of %i ms as %s", (ms, text) => {
    expect(formatOffset(ms)).toBe(text);
  });
});
