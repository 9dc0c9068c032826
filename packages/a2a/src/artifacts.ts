import type { Artifact, Part } from "@a2a-js/sdk";
import { describeEffectiveness, type RemediationRequest } from "@kubernaut/core";

/** Stable ids: an artifact is replaced, never duplicated, when the task is recomputed. */
export const ARTIFACT_IDS = { rca: "rca", decision: "decision", effectiveness: "effectiveness" } as const;

/**
 * The task's artifacts, each present once the remediation has it (pure, like the task state): the root
 * cause analysis, the decision that let it run (or not), and the effectiveness assessment. Each carries a
 * JSON data part for agents and a one-line text part for people.
 */
export function remediationArtifacts(rr: RemediationRequest): Artifact[] {
  return [rcaArtifact(rr), decisionArtifact(rr), effectivenessArtifact(rr)].filter(
    (artifact): artifact is Artifact => artifact !== undefined,
  );
}

function rcaArtifact(rr: RemediationRequest): Artifact | undefined {
  const analysis = rr.analysis;
  if (!analysis) return undefined;
  const workflow = analysis.workflowId
    ? {
        id: analysis.workflowId,
        ...(analysis.workflowVersion ? { version: analysis.workflowVersion } : {}),
        ...(analysis.actionType ? { actionType: analysis.actionType } : {}),
      }
    : null;
  return artifact(
    ARTIFACT_IDS.rca,
    "Root cause analysis",
    "What the investigation found and the workflow it chose",
    {
      data: {
        remediationId: rr.id,
        target: rr.targetResource,
        rootCause: analysis.rootCause,
        rationale: analysis.rationale,
        investigator: analysis.investigator,
        workflow,
        // Absolute values (DESIGN §3.3): what would be applied, not a factor.
        parameters: analysis.parameters,
        confidence: analysis.confidence,
        aligned: analysis.aligned,
        ...(rr.enrichment
          ? { environment: rr.enrichment.environment, severity: rr.enrichment.severity }
          : {}),
        ...(analysis.suggestion ? { suggestion: analysis.suggestion } : {}),
        ...(analysis.suggestionId ? { suggestionId: analysis.suggestionId } : {}),
        ...(analysis.failure ? { failure: analysis.failure } : {}),
      },
      text: `${analysis.rootCause} → ${workflow ? workflow.id : "no matching workflow"} (confidence ${analysis.confidence})`,
    },
  );
}

/**
 * Who or what let the remediation run: an approver's decision, the policy's auto-approval (or denial),
 * or the trust ladder's dry run. Absent while the decision is still open.
 */
function decisionArtifact(rr: RemediationRequest): Artifact | undefined {
  const make = (data: Record<string, unknown>, text: string) =>
    artifact(ARTIFACT_IDS.decision, "Decision", "Why the remediation ran, or did not", { data, text });
  const policy = rr.policyDecision;
  const approval = rr.approvalDecision;
  if (approval)
    return make(
      {
        kind: "approval",
        decision: approval.decision,
        decidedBy: approval.decidedBy,
        decidedVia: approval.decidedVia,
        decidedAt: approval.decidedAt,
        ...(approval.message ? { message: approval.message } : {}),
        ...(approval.override ? { override: approval.override } : {}),
        ...(rr.approvalRequestId ? { approvalRequestId: rr.approvalRequestId } : {}),
        ...(policy ? { policy: policyView(policy) } : {}),
      },
      `${approval.decision} by ${approval.decidedBy} via ${approval.decidedVia}`,
    );
  if (rr.outcome === "DryRun")
    return make(
      { kind: "dryRun", reason: rr.reason ?? "dry run", wouldHaveDone: rr.wouldHaveDone ?? {} },
      `dry run: ${rr.reason ?? "nothing was changed"}`,
    );
  if (policy?.deny)
    return make(
      { kind: "policy", decision: "Denied", policy: policyView(policy) },
      `denied by policy: ${policy.reason}`,
    );
  if (policy && !policy.requireApproval)
    return make(
      { kind: "policy", decision: "AutoApproved", policy: policyView(policy) },
      `auto-approved by policy: ${policy.reason}`,
    );
  return undefined;
}

function policyView(policy: NonNullable<RemediationRequest["policyDecision"]>) {
  return {
    requireApproval: policy.requireApproval,
    reason: policy.reason,
    degraded: policy.degraded,
    ...(policy.policyHash ? { policyHash: policy.policyHash } : {}),
  };
}

function effectivenessArtifact(rr: RemediationRequest): Artifact | undefined {
  const effectiveness = rr.effectiveness;
  if (!effectiveness) return undefined;
  return artifact(
    ARTIFACT_IDS.effectiveness,
    "Effectiveness",
    "The assessment after the stabilization window: health, alert resolution, metrics, spec drift",
    {
      data: {
        score: effectiveness.score,
        reason: effectiveness.reason,
        ...(effectiveness.completeness ? { completeness: effectiveness.completeness } : {}),
        components: effectiveness.components,
        ...(effectiveness.details ? { details: effectiveness.details } : {}),
        assessedAt: effectiveness.assessedAt,
        ...(rr.outcome ? { outcome: rr.outcome } : {}),
      },
      text: `effectiveness ${describeEffectiveness(effectiveness)}${rr.outcome ? ` → ${rr.outcome}` : ""}`,
    },
  );
}

function artifact(
  artifactId: string,
  name: string,
  description: string,
  content: { data: Record<string, unknown>; text: string },
): Artifact {
  return {
    artifactId,
    name,
    description,
    parts: [dataPart(content.data), textPart(content.text)],
    metadata: undefined,
    extensions: [],
  };
}

export function textPart(text: string): Part {
  return {
    content: { $case: "text", value: text },
    metadata: undefined,
    filename: "",
    mediaType: "text/plain",
  };
}

export function dataPart(data: Record<string, unknown>): Part {
  return {
    content: { $case: "data", value: data },
    metadata: undefined,
    filename: "",
    mediaType: "application/json",
  };
}
