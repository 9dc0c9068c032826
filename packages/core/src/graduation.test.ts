import { describe, expect, it } from "vitest";
import { type GraduationThresholds, graduationReport } from "./graduation";
import type { RemediationRequest } from "./remediation";
import type { TrustLevel } from "./trust-ladder";

const thresholds: GraduationThresholds = {
  minAssessed: 5,
  minFullShare: 0.8,
  minMeanScore: 0.8,
  minApprovalsInRow: 3,
  recentFailure: 7 * 86_400_000,
};
const now = new Date("2026-06-01T00:00:00Z");
let n = 0;

function rr(
  overrides: Partial<RemediationRequest> & {
    score?: number | null;
    reason?: string;
    decision?: "Approved" | "Rejected";
    kind?: string;
  },
): RemediationRequest {
  n++;
  const at = new Date(now.getTime() - n * 3_600_000 * 24 * 2).toISOString();
  const { score, reason, decision, kind, ...rest } = overrides;
  return {
    id: `rr-${n}`,
    fingerprint: "f",
    phase: "Completed",
    outcome: "Remediated",
    signal: {
      source: "prometheus",
      alertName: "A",
      severity: "critical",
      labels: {},
      annotations: {},
      startsAt: at,
      receivedAt: at,
    },
    targetResource: { kind: kind ?? "Deployment", name: "api", namespace: "shop" },
    targetSource: "label",
    executionName: `rr-${n}`,
    createdAt: at,
    updatedAt: at,
    completedAt: at,
    analysis: {
      investigator: "rules",
      actionable: true,
      workflowId: "crashloop-rollback-v1",
      confidence: 0.9,
      parameters: {},
      rootCause: "x",
      rationale: "y",
      aligned: true,
    },
    workflowExecution: {
      workflowId: "crashloop-rollback-v1",
      workflowVersion: "1.0.0",
      actionType: "RollbackDeployment",
      parameters: {},
      target: { kind: "Deployment", name: "api" },
      startedAt: at,
    },
    ...(score !== undefined
      ? { effectiveness: { score, reason: reason ?? "Full", components: {}, assessedAt: at } }
      : {}),
    ...(decision
      ? { approvalDecision: { decision, decidedBy: "ops", decidedVia: "api", decidedAt: at } }
      : {}),
    ...rest,
  };
}

const report = (rrs: RemediationRequest[], level: TrustLevel) =>
  graduationReport(rrs, () => level, thresholds, now)[0];

describe("graduationReport", () => {
  it("recommends automate when every signal agrees, with the evidence", () => {
    const row = report(
      Array.from({ length: 5 }, () => rr({ score: 1, decision: "Approved" })),
      "approve",
    );
    expect(row).toMatchObject({
      recommendation: "graduate",
      recommendedLevel: "automate",
      assessed: 5,
      fullShare: 1,
      meanScore: 1,
      approvalsInRow: 5,
    });
    expect(row?.evidence.every((e) => e.startsWith("✓"))).toBe(true);
  });

  it.each([
    {
      case: "too few assessments",
      rrs: () => Array.from({ length: 4 }, () => rr({ score: 1, decision: "Approved" })),
      missing: /assessed remediation/,
    },
    {
      case: "a rejection breaks the run of approvals",
      rrs: () => [
        rr({ score: 1, decision: "Approved" }),
        rr({ score: 1, decision: "Rejected" }),
        ...Array.from({ length: 4 }, () => rr({ score: 1, decision: "Approved" })),
      ],
      missing: /in a row/,
    },
    {
      case: "Partial assessments",
      rrs: () => Array.from({ length: 5 }, () => rr({ score: 1, reason: "Partial", decision: "Approved" })),
      missing: /Full assessments/,
    },
    {
      case: "a sensitive target",
      rrs: () => Array.from({ length: 5 }, () => rr({ score: 1, decision: "Approved", kind: "StatefulSet" })),
      missing: /sensitive targets: StatefulSet\/api/,
    },
  ])("stays at approve: $case", ({ rrs, missing }) => {
    const row = report(rrs(), "approve");
    expect(row?.recommendation).toBe("stay");
    expect(row?.evidence.find((e) => e.startsWith("✗"))).toMatch(missing);
  });

  it("recommends demoting an automated workflow that failed recently", () => {
    const anHourAgo = new Date(now.getTime() - 3_600_000).toISOString();
    const failed = rr({
      phase: "Failed",
      outcome: undefined,
      failurePhase: "Executing",
      reason: "ExecutionForbidden",
      createdAt: anHourAgo,
      completedAt: anHourAgo,
    });
    const row = report([failed, rr({ score: 1 })], "automate");
    expect(row).toMatchObject({ recommendation: "demote", recommendedLevel: "approve" });
  });

  it("does not count an assessment that measured nothing: no score is neither evidence nor a failure", () => {
    const scored = Array.from({ length: 5 }, () => rr({ score: 1, decision: "Approved" }));
    const unmeasured = Array.from({ length: 3 }, () =>
      rr({ score: null, reason: "Expired", outcome: "Inconclusive" }),
    );
    const row = report([...scored, ...unmeasured], "automate");
    expect(row).toMatchObject({ assessed: 5, fullShare: 1, meanScore: 1, recommendation: "stay" });
    expect(row?.lastFailure).toBeUndefined();
  });

  it("suggests approve for a workflow at observe once its dry runs are worth a look", () => {
    const dryRuns = Array.from({ length: 5 }, () => rr({ outcome: "DryRun", workflowExecution: undefined }));
    expect(report(dryRuns, "observe")).toMatchObject({
      recommendation: "graduate",
      recommendedLevel: "approve",
      dryRuns: 5,
    });
  });

  it("is per version: a replaced version's evidence is history, the new version starts its own row", () => {
    const at = (version: string) => ({
      workflowExecution: {
        workflowId: "crashloop-rollback-v1",
        workflowVersion: version,
        actionType: "RollbackDeployment",
        parameters: {},
        target: { kind: "Deployment", name: "api" },
        startedAt: now.toISOString(),
      },
    });
    const old = Array.from({ length: 5 }, () => rr({ score: 1, decision: "Approved", ...at("1.0.0") }));
    const fresh = [rr({ outcome: "DryRun", ...at("1.1.0") })];
    const rows = graduationReport(
      [...old, ...fresh],
      () => "approve",
      thresholds,
      now,
      () => "1.1.0",
    );
    expect(rows.map((r) => [r.version, r.supersededBy, r.recommendation])).toEqual([
      ["1.0.0", "1.1.0", "stay"],
      ["1.1.0", undefined, "stay"],
    ]);
    expect(rows[0]?.evidence).toEqual(["version 1.0.0 was replaced by 1.1.0, which starts its own record"]);
  });
});
