import { parseDuration } from "@kubernaut/core";
import { buildPolicyInput } from "@kubernaut/policy";
import { approvalIdFor } from "@kubernaut/store";
import { logger } from "@kubernaut/telemetry";
import { trustLevelOf } from "./analyze";
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
 * Evaluate policy (DESIGN §3.5): the policy input document (DESIGN §5) through the configured Rego
 * policy in opa-wasm. No policy, a broken one or a bad result shape → approval required, `degraded`.
 * A retried task reuses the recorded decision, so a policy edited in between cannot flip it.
 */
export async function evaluatePolicy(deps: PipelineDeps, remediationId: string): Promise<PolicyResult> {
  const rr = await loadRemediation(deps, remediationId);
  const config = deps.config();
  const now = deps.now?.() ?? new Date();
  let decision = rr.policyDecision;
  if (!decision) {
    const input = buildPolicyInput(rr, {
      confidenceThreshold: config.aianalysis.rego.confidenceThreshold,
      workflowTrustLevel:
        (await trustLevelOf(deps, rr.analysis?.workflowId, rr.targetResource.namespace)) ?? "observe",
    });
    const outcome = await deps.policy.evaluate(input);
    const requiredByMs = requiredByFrom(outcome.requiredBy, config.approval.requiredBy);
    decision = {
      requireApproval: outcome.requireApproval,
      deny: outcome.deny,
      degraded: outcome.degraded,
      reason: outcome.reason,
      ...(outcome.policyHash ? { policyHash: outcome.policyHash } : {}),
      requiredBy: new Date(now.getTime() + requiredByMs).toISOString(),
    };
    await deps.store.appendAudit(
      remediationId,
      {
        type: "PolicyEvaluated",
        at: now.toISOString(),
        actor: PIPELINE_ACTOR,
        details: { ...decision, input },
      },
      { set: { policyDecision: decision } },
    );
  }
  const remainingMs = decision.requiredBy
    ? Date.parse(decision.requiredBy) - now.getTime()
    : config.approval.requiredBy;
  return {
    requireApproval: decision.requireApproval,
    deny: decision.deny,
    timeoutSeconds: Math.max(1, Math.ceil((Math.max(0, remainingMs) + config.approval.timeoutGrace) / 1000)),
  };
}

/** The policy may set `required_by` (a duration); anything unreadable falls back to the configured one. */
function requiredByFrom(policyValue: string | undefined, configured: number): number {
  if (!policyValue) return configured;
  try {
    return parseDuration(policyValue);
  } catch {
    return configured;
  }
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
  if (request.decision) {
    // Decided after an earlier attempt of this task failed: the store put the decision back into the
    // outbox with this attempt's token, and the sweep delivers it — the wait below does not hang.
    logger.info("approval request decided between attempts; the outbox delivers it to the new token", {
      remediationId,
      approvalRequestId: request.id,
      decision: request.decision,
    });
  }
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
