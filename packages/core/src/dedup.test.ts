import { describe, expect, it } from "vitest";
import { decideDedup, type FingerprintView, type Hold } from "./dedup";

const NOW = new Date("2026-01-01T12:00:00Z");
const seconds = (offset: number) => Math.floor(NOW.getTime() / 1000) + offset;
const hold = (kind: Hold["kind"], offset: number): Hold => ({
  kind,
  reason: kind,
  expiresAt: seconds(offset),
});
const GRACE = 30_000;

describe("decideDedup", () => {
  it.each<{ case: string; view: FingerprintView; expected: ReturnType<typeof decideDedup> }>([
    { case: "nothing known → create", view: { holds: [] }, expected: { action: "create" } },
    {
      case: "non-terminal remediation absorbs the alert",
      view: { activeRemediationId: "rr-1", activePhase: "Analyzing", holds: [] },
      expected: { action: "deduplicated", remediationId: "rr-1" },
    },
    {
      case: "Verifying still suppresses (the assessment is pending)",
      view: { activeRemediationId: "rr-1", activePhase: "Verifying", holds: [] },
      expected: { action: "deduplicated", remediationId: "rr-1" },
    },
    {
      case: "terminal remediation releases the fingerprint",
      view: { activeRemediationId: "rr-1", activePhase: "Completed", holds: [] },
      expected: { action: "create" },
    },
    {
      case: "a hold in force suppresses after a terminal remediation",
      view: { activeRemediationId: "rr-1", activePhase: "Completed", holds: [hold("dryRun", 3600)] },
      expected: { action: "held", hold: hold("dryRun", 3600) },
    },
    {
      case: "an expired hold TTL has not deleted yet is absent",
      view: { activeRemediationId: "rr-1", activePhase: "Completed", holds: [hold("manualReview", -1)] },
      expected: { action: "create" },
    },
    {
      case: "a hold expiring exactly now is absent",
      view: { holds: [hold("backoff", 0)] },
      expected: { action: "create" },
    },
    {
      case: "the longest hold is reported",
      view: { holds: [hold("backoff", 60), hold("manualReview", 86_400)] },
      expected: { action: "held", hold: hold("manualReview", 86_400) },
    },
    {
      case: "Pending within the grace period is left alone",
      view: {
        activeRemediationId: "rr-1",
        activePhase: "Pending",
        activeCreatedAt: "2026-01-01T11:59:50Z",
        holds: [],
      },
      expected: { action: "deduplicated", remediationId: "rr-1" },
    },
    {
      case: "Pending without an execution past the grace period is restarted",
      view: {
        activeRemediationId: "rr-1",
        activePhase: "Pending",
        activeCreatedAt: "2026-01-01T11:59:00Z",
        holds: [],
      },
      expected: { action: "restart", remediationId: "rr-1" },
    },
    {
      case: "Pending whose start is known to have failed is restarted at once",
      view: {
        activeRemediationId: "rr-1",
        activePhase: "Pending",
        activeCreatedAt: "2026-01-01T11:59:59Z",
        activeStartFailedAt: "2026-01-01T11:59:59Z",
        holds: [],
      },
      expected: { action: "restart", remediationId: "rr-1" },
    },
    {
      case: "Pending with a started execution is just waiting for its first task",
      view: {
        activeRemediationId: "rr-1",
        activePhase: "Pending",
        activeCreatedAt: "2026-01-01T11:00:00Z",
        activeExecutionStartedAt: "2026-01-01T11:00:00Z",
        holds: [],
      },
      expected: { action: "deduplicated", remediationId: "rr-1" },
    },
  ])("$case", ({ view, expected }) => {
    expect(decideDedup(view, NOW, GRACE)).toEqual(expected);
  });
});
