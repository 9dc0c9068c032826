import type { Artifact } from "@a2a-js/sdk";
import type { RemediationRequest } from "@kubernaut/core";
import { describe, expect, it } from "vitest";
import { remediationArtifacts } from "./artifacts";
import { remediation } from "./fixtures";

const ANALYSIS: NonNullable<RemediationRequest["analysis"]> = {
  investigator: "rules",
  actionable: true,
  workflowId: "crashloop-rollback-v1",
  workflowVersion: "1.0.0",
  actionType: "RollbackDeployment",
  confidence: 0.9,
  parameters: { toRevision: 1 },
  rootCause: "revision 2 crash-loops",
  rationale: "every pod of the new revision crash-loops",
  aligned: true,
  evidence: { pods: ["a large evidence document the artifact leaves out"] },
};
const POLICY = { requireApproval: false, deny: false, degraded: false, reason: "staging", policyHash: "abc" };

/** An artifact as id → [data, text], which is what a delegating agent reads. */
function read(artifacts: Artifact[]) {
  return Object.fromEntries(
    artifacts.map((artifact) => {
      const [data, text] = artifact.parts.map((part) => part.content?.value);
      return [artifact.artifactId, [data, text]];
    }),
  );
}

describe("remediationArtifacts", () => {
  it("has nothing before the analysis", () => {
    expect(remediationArtifacts(remediation({ phase: "Processing" }))).toEqual([]);
  });

  it("adds the RCA once analysed (without the evidence), but no decision while approval is pending", () => {
    // Act
    const artifacts = read(
      remediationArtifacts(
        remediation({
          phase: "AwaitingApproval",
          analysis: ANALYSIS,
          policyDecision: { ...POLICY, requireApproval: true },
        }),
      ),
    );

    // Assess
    expect(artifacts).toEqual({
      rca: [
        {
          remediationId: "rr-1",
          target: { kind: "Deployment", name: "checkout", namespace: "shop" },
          rootCause: "revision 2 crash-loops",
          rationale: "every pod of the new revision crash-loops",
          investigator: "rules",
          workflow: { id: "crashloop-rollback-v1", version: "1.0.0", actionType: "RollbackDeployment" },
          parameters: { toRevision: 1 },
          confidence: 0.9,
          aligned: true,
        },
        "revision 2 crash-loops → crashloop-rollback-v1 (confidence 0.9)",
      ],
    });
  });

  it.each<{ case: string; rr: Partial<RemediationRequest>; decision: [Record<string, unknown>, string] }>([
    {
      case: "an approver's decision, with the policy that asked for it",
      rr: {
        phase: "Executing",
        approvalRequestId: "rar-rr-1",
        policyDecision: { ...POLICY, requireApproval: true, reason: "production" },
        approvalDecision: {
          decision: "Approved",
          decidedBy: "ops",
          decidedVia: "slack",
          decidedAt: "2026-01-01T12:05:00Z",
        },
      },
      decision: [
        {
          kind: "approval",
          decision: "Approved",
          decidedBy: "ops",
          decidedVia: "slack",
          decidedAt: "2026-01-01T12:05:00Z",
          approvalRequestId: "rar-rr-1",
          policy: { requireApproval: true, reason: "production", degraded: false, policyHash: "abc" },
        },
        "Approved by ops via slack",
      ],
    },
    {
      case: "the policy's auto-approval",
      rr: { phase: "Executing", policyDecision: POLICY },
      decision: [
        {
          kind: "policy",
          decision: "AutoApproved",
          policy: { requireApproval: false, reason: "staging", degraded: false, policyHash: "abc" },
        },
        "auto-approved by policy: staging",
      ],
    },
    {
      case: "the policy's denial",
      rr: {
        phase: "Completed",
        outcome: "ManualReviewRequired",
        policyDecision: { ...POLICY, deny: true, reason: "no" },
      },
      decision: [
        {
          kind: "policy",
          decision: "Denied",
          policy: { requireApproval: false, reason: "no", degraded: false, policyHash: "abc" },
        },
        "denied by policy: no",
      ],
    },
    {
      case: "the trust ladder's dry run, with what it would have done",
      rr: {
        phase: "Completed",
        outcome: "DryRun",
        reason: "Level 1 (observe)",
        wouldHaveDone: { workflowId: "crashloop-rollback-v1" },
      },
      decision: [
        {
          kind: "dryRun",
          reason: "Level 1 (observe)",
          wouldHaveDone: { workflowId: "crashloop-rollback-v1" },
        },
        "dry run: Level 1 (observe)",
      ],
    },
  ])("records the decision: $case", ({ rr, decision }) => {
    expect(read(remediationArtifacts(remediation({ analysis: ANALYSIS, ...rr }))).decision).toEqual(decision);
  });

  it("adds the effectiveness result last, with the outcome it led to", () => {
    // Act
    const artifacts = remediationArtifacts(
      remediation({
        phase: "Completed",
        outcome: "Remediated",
        analysis: ANALYSIS,
        policyDecision: POLICY,
        effectiveness: {
          score: 0.9,
          reason: "Partial",
          completeness: "health and alert only: no metrics data",
          components: { health: 0.75, alert: 1 },
          details: { metrics: "not assessed: Prometheus returned no restart series" },
          assessedAt: "t",
        },
      }),
    );

    // Assess
    expect(artifacts.map((artifact) => artifact.artifactId)).toEqual(["rca", "decision", "effectiveness"]);
    expect(read(artifacts).effectiveness).toEqual([
      {
        score: 0.9,
        reason: "Partial",
        completeness: "health and alert only: no metrics data",
        components: { health: 0.75, alert: 1 },
        details: { metrics: "not assessed: Prometheus returned no restart series" },
        assessedAt: "t",
        outcome: "Remediated",
      },
      "effectiveness 0.90, health and alert only: no metrics data → Remediated",
    ]);
  });
});
