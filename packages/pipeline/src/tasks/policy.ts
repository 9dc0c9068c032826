import type { PolicyDecision } from "@kubernaut/core";
import { approvalIdFor } from "@kubernaut/store";
import { PIPELINE_ACTOR, type PipelineDeps } from "./deps";
import { loadRemediation } from "./load";
import { messages } from "./messages";

export interface PolicyResult {
  requireApproval: boolean;
  deny: boolean;
  /** requiredBy + grace, in whole seconds: the AwaitApproval state's TimeoutSecondsPath. */
  timeoutSeconds: number;
}

/**
 * Evaluate policy (DESIGN §3.5). No policy is built into the code: until the policy issue lands the
 * Rego evaluator, every remediation requires approval, marked `degraded` with the reason, because
 * never auto-approving is the only safe answer without a policy.
 */
export async function evaluatePolicy(deps: PipelineDeps, remediationId: string): Promise<PolicyResult> {
  const rr = await loadRemediation(deps, remediationId);
  const config = deps.config();
  const now = deps.now?.() ?? new Date();
  const decision: PolicyDecision = rr.policyDecision ?? {
    requireApproval: true,
    deny: false,
    degraded: true,
    reason: config.aianalysis.rego.policy
      ? `policy ${config.aianalysis.rego.policy} cannot be evaluated yet (no Rego evaluator installed): approval required`
      : "no approval policy configured: every remediation requires approval",
    requiredBy: new Date(now.getTime() + config.approval.requiredBy).toISOString(),
  };
  if (!rr.policyDecision) {
    await deps.store.appendAudit(
      remediationId,
      { type: "PolicyEvaluated", at: now.toISOString(), actor: PIPELINE_ACTOR, details: { ...decision } },
      { set: { policyDecision: decision } },
    );
  }
  const requiredByMs = decision.requiredBy
    ? Date.parse(decision.requiredBy) - now.getTime()
    : config.approval.requiredBy;
  return {
    requireApproval: decision.requireApproval,
    deny: decision.deny,
    timeoutSeconds: Math.max(1, Math.ceil((Math.max(0, requiredByMs) + config.approval.timeoutGrace) / 1000)),
  };
}

/**
 * Await approval (DESIGN §3.6): creates the RemediationApprovalRequest holding the callback token, once
 * per remediation; a retried task finds it, hands it the new token and announces nothing again.
 */
export async function requestApproval(
  deps: PipelineDeps,
  remediationId: string,
  taskToken: string,
): Promise<Record<string, never>> {
  const rr = await loadRemediation(deps, remediationId);
  const config = deps.config();
  const now = deps.now?.() ?? new Date();
  const decision = rr.policyDecision;
  const { created, request } = await deps.approvals.createOrRefreshToken({
    id: approvalIdFor(remediationId),
    remediationId,
    fingerprint: rr.fingerprint,
    taskToken,
    createdAt: now.toISOString(),
    requiredBy: decision?.requiredBy ?? new Date(now.getTime() + config.approval.requiredBy).toISOString(),
    reason: decision?.reason ?? "approval required",
    degraded: decision?.degraded ?? true,
    confidence: rr.analysis?.confidence ?? 0,
    environment: rr.enrichment?.environment ?? "Unknown",
    ...(decision?.policyHash ? { policyHash: decision.policyHash } : {}),
    ...(rr.analysis?.workflowId ? { workflowId: rr.analysis.workflowId } : {}),
    ...(rr.targetResource.namespace ? { namespace: rr.targetResource.namespace } : {}),
  });
  if (created) {
    // Only the task that created the request announces it: a retry must not post to Slack again.
    await deps.notifier.notify({
      type: "Approval",
      remediation: rr,
      ...messages.approval(rr, request.reason),
      context: { approvalRequestId: request.id, requiredBy: request.requiredBy, reason: request.reason },
    });
  }
  if (rr.phase === "Analyzing") {
    await deps.store.transition(
      remediationId,
      {
        from: ["Analyzing"],
        to: "AwaitingApproval",
        set: { approvalRequestId: request.id },
        event: "ApprovalRequested",
      },
      PIPELINE_ACTOR,
      { approvalRequestId: request.id, requiredBy: request.requiredBy, created },
    );
  }
  return {};
}
