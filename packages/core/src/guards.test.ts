import { describe, expect, it } from "vitest";
import { evaluateGuards, type RoutingSettings } from "./guards";

const MIN = 60_000;
const settings: RoutingSettings = {
  consecutiveFailureThreshold: 3,
  consecutiveFailureCooldown: 60 * MIN,
  recentlyRemediatedCooldown: 5 * MIN,
  exponentialBackoffBase: MIN,
  exponentialBackoffMax: 10 * MIN,
  ineffectiveChain: { consecutive: 3, withinWindow: 5, window: 240 * MIN },
};
const now = new Date("2026-01-01T12:00:00Z");
const ago = (minutes: number) => new Date(now.getTime() - minutes * MIN).toISOString();
const failed = (minutes: number, failurePhase = "Executing") => ({
  id: `f${minutes}`,
  phase: "Failed" as const,
  failurePhase,
  completedAt: ago(minutes),
  updatedAt: ago(minutes),
});
const executed = (minutes: number, preHash: string, workflowId = "crashloop-rollback-v1") => ({
  id: `e${minutes}`,
  phase: "Completed" as const,
  outcome: "Remediated" as const,
  completedAt: ago(minutes),
  updatedAt: ago(minutes),
  executingAt: ago(minutes),
  workflowExecution: {
    workflowId,
    workflowVersion: "1",
    actionType: "X",
    parameters: {},
    target: { kind: "Deployment", name: "d" },
    startedAt: ago(minutes),
    preHash,
  },
});

describe("evaluateGuards", () => {
  it.each([
    { case: "no history", history: [], expected: { blocked: false } },
    { case: "one old failure", history: [failed(30)], expected: { blocked: false } },
    {
      case: "backoff after one failure (1 min)",
      history: [failed(0.5)],
      expected: { blocked: true, reason: "Backoff" },
    },
    {
      case: "backoff doubles: 2 failures → 2 min",
      history: [failed(1.5), failed(30)],
      expected: { blocked: true, reason: "Backoff" },
    },
    { case: "backoff lapsed", history: [failed(2.5), failed(30)], expected: { blocked: false } },
    {
      case: "three consecutive failures block for the cooldown",
      history: [failed(20), failed(30), failed(40)],
      expected: { blocked: true, reason: "ConsecutiveFailures" },
    },
    {
      case: "a success in between resets the count",
      history: [failed(20), executed(25, "a"), failed(30), failed(40)],
      expected: { blocked: false },
    },
    {
      case: "rejections are not failures",
      history: [failed(20, "Approval"), failed(30, "Approval"), failed(40, "Approval")],
      expected: { blocked: false },
    },
    {
      case: "the same workflow within 5 min",
      history: [executed(3, "a")],
      expected: { blocked: true, reason: "RecentlyRemediated" },
    },
    {
      case: "another workflow within 5 min",
      history: [executed(3, "a", "restart-pod-v1")],
      expected: { blocked: false },
    },
    {
      case: "three remediations from the same spec state",
      history: [executed(30, "a"), executed(60, "a"), executed(90, "a")],
      expected: { blocked: true, reason: "IneffectiveChain", manualReview: true },
    },
    {
      case: "five executions within 4h",
      history: [
        executed(10, "a"),
        executed(20, "b"),
        executed(30, "c"),
        executed(40, "d"),
        executed(50, "e"),
      ],
      expected: { blocked: true, reason: "IneffectiveChain" },
    },
  ])("$case", ({ history, expected }) => {
    expect(evaluateGuards(history, "crashloop-rollback-v1", now, settings)).toMatchObject(expected);
  });

  it("reports until when the block lifts", () => {
    expect(evaluateGuards([failed(20), failed(30), failed(40)], "x", now, settings)).toMatchObject({
      until: "2026-01-01T12:40:00.000Z",
    });
  });
});
