import { describe, expect, it } from "vitest";
import {
  describeMode,
  dryRunReason,
  effectiveLevel,
  effectiveMode,
  endsDryRun,
  initialLevel,
  type LadderPolicy,
  ladderSummary,
  TRUST_LEVELS,
  TrustLevel,
} from "./trust-ladder";

const none: LadderPolicy = { configured: false, usable: false };
const good: LadderPolicy = { configured: true, usable: true };
const broken: LadderPolicy = { configured: true, usable: false };

describe("what happens to a remediation, by the ladder", () => {
  it.each<[boolean, TrustLevel, LadderPolicy, string]>([
    [true, "automate", good, "dry run (Level 1: remediationOrchestrator.dryRun is on)"],
    [false, "observe", good, "dry run (Level 2: at observe)"],
    [false, "approve", none, "asks for approval (no approval policy configured)"],
    [false, "automate", none, "asks for approval (no approval policy configured)"],
    [false, "automate", broken, "asks for approval (the approval policy is unusable: degraded)"],
    [false, "approve", good, "the policy decides, approval expected (Level 3: approve)"],
    [false, "automate", good, "runs when the policy allows (Level 4: automate)"],
  ])("dryRun %s, level %s, policy %j → %s", (dryRun, level, policy, text) => {
    expect(describeMode(effectiveMode(dryRun, level, policy))).toBe(text);
  });

  it("Level 1 wins over every workflow's level", () => {
    const summary = ladderSummary({
      dryRun: true,
      workflows: [{ id: "a-v1", level: "automate", namespaces: {} }],
      policy: good,
    });
    expect(summary.level).toBe(1);
    expect(summary.headline).toMatch(/^Level 1 \(observe\): remediationOrchestrator\.dryRun is true/);
  });

  it.each<[LadderPolicy, 2 | 3 | 4, string]>([
    [
      good,
      4,
      "Level 4 (automate) at most, by workflow; the approval policy decides for approve and automate",
    ],
    [
      none,
      3,
      "Level 3 (approve) at most, by workflow; no approval policy configured: whatever is not at observe asks for approval",
    ],
  ])("otherwise says which workflows sit where, per namespace too (%j)", (policy, level, headline) => {
    const summary = ladderSummary({
      dryRun: false,
      workflows: [
        { id: "restart-pod-v1", level: "observe", namespaces: { staging: "automate" } },
        { id: "crashloop-rollback-v1", level: "approve", namespaces: {} },
      ],
      policy,
    });
    expect(summary).toEqual({
      level,
      headline,
      lines: [
        "observe (dry run): restart-pod-v1",
        "approve: crashloop-rollback-v1",
        "automate: restart-pod-v1 in staging",
      ],
    });
  });

  it("everything at observe is Level 2 with nothing trusted yet", () => {
    expect(
      ladderSummary({
        dryRun: false,
        workflows: [{ id: "a-v1", level: "observe", namespaces: {} }],
        policy: good,
      }).level,
    ).toBe(2);
  });
});

describe("the levels", () => {
  it("are one schema, lowest first", () => {
    expect(TRUST_LEVELS).toEqual(["observe", "approve", "automate"]);
    expect(TrustLevel.safeParse("automate").success).toBe(true);
    expect(TrustLevel.safeParse("trusted").success).toBe(false);
  });

  it.each([
    [true, "observe"],
    [false, "approve"],
  ] as const)("a new workflow starts at %s → %s", (newWorkflowsDryRun, level) => {
    expect(initialLevel({ newWorkflowsDryRun })).toBe(level);
  });

  it.each<[string | undefined, TrustLevel]>([
    ["staging", "automate"],
    ["production", "observe"],
    [undefined, "observe"],
  ])("in namespace %s the level is %s", (namespace, level) => {
    const record = { level: "observe" as const, namespaces: { staging: "automate" as const } };
    expect(effectiveLevel(record, namespace)).toBe(level);
  });
});

describe("the Level 1/2 routing decision", () => {
  it.each<[boolean, TrustLevel | undefined, boolean]>([
    [true, "automate", true],
    [true, undefined, true],
    [false, "observe", true],
    [false, "approve", false],
    [false, "automate", false],
    [false, undefined, false],
  ])("dryRun %s, level %s → ends DryRun %s", (dryRun, level, dry) => {
    expect(endsDryRun({ dryRun }, level)).toBe(dry);
  });

  it.each<[boolean, string | undefined, string]>([
    [true, "production", "Level 1 (observe): remediationOrchestrator.dryRun is on"],
    [false, "production", "Level 2 (selective trust): restart-pod-v1 is at observe in production"],
    [false, undefined, "Level 2 (selective trust): restart-pod-v1 is at observe in this scope"],
  ])("dryRun %s in %s says why: %s", (dryRun, namespace, reason) => {
    expect(dryRunReason({ dryRun }, { workflowId: "restart-pod-v1", namespace })).toBe(reason);
  });
});
