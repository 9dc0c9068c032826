import { createHash } from "node:crypto";
import {
  type AuditEvent,
  type AuditEventBody,
  chainAuditEvent,
  GENESIS_HASH,
  type RemediationRequest,
} from "@kubernaut/core";

/** A remediation as ingest and the pipeline leave it; tests override what they are about. */
export function remediation(overrides: Partial<RemediationRequest> = {}): RemediationRequest {
  const id = overrides.id ?? "rr-0mwwxht88-45ed7da8af39-83ffc4";
  return {
    id,
    // One per remediation, so seeded remediations never dedup into each other.
    fingerprint: createHash("sha256").update(id).digest("hex"),
    phase: "AwaitingApproval",
    signal: {
      source: "prometheus",
      alertName: "KubePodCrashLooping",
      severity: "critical",
      labels: { alertname: "KubePodCrashLooping", namespace: "production", deployment: "checkout" },
      annotations: { summary: "checkout crash-loops" },
      startsAt: "2026-11-26T02:23:40.000Z",
      receivedAt: "2026-11-26T02:23:40.856Z",
    },
    targetResource: { kind: "Deployment", name: "checkout", namespace: "production" },
    targetSource: "label",
    executionName: id,
    enrichment: {
      environment: "Production",
      environmentSource: "namespace label kubernaut.ai/environment",
      severity: "critical",
      priority: "P0",
      customLabels: {},
    },
    analysis: {
      investigator: "rules",
      actionable: true,
      workflowId: "crashloop-rollback-v1",
      workflowVersion: "1.0.0",
      actionType: "RollbackDeployment",
      confidence: 0.95,
      parameters: { toRevision: 1 },
      rootCause: "checkout crash-loops since revision 2",
      rationale: "a bad rollout",
      aligned: true,
    },
    createdAt: "2026-11-26T02:23:40.856Z",
    updatedAt: "2026-11-26T02:23:41.895Z",
    ...overrides,
  };
}

const PIPELINE = { type: "system", id: "pipeline", channel: "pipeline" } as const;

/** Chains event bodies into a valid audit trail, as the store writes it. */
export function chain(bodies: AuditEventBody[]): AuditEvent[] {
  const events: AuditEvent[] = [];
  let prev = GENESIS_HASH;
  for (const [i, body] of bodies.entries()) {
    const event = chainAuditEvent(body, i + 1, prev);
    events.push(event);
    prev = event.hash;
  }
  return events;
}

/** The audit trail of an approved, executed and assessed remediation (times as a real run wrote them). */
export function approvedTrail(): AuditEventBody[] {
  return [
    {
      type: "RemediationCreated",
      at: "2026-11-26T02:23:40.856Z",
      actor: { type: "service", id: "gateway", channel: "webhook" },
      details: {
        alertName: "KubePodCrashLooping",
        target: { kind: "Deployment", name: "checkout", namespace: "production" },
      },
    },
    {
      type: "SignalProcessed",
      at: "2026-11-26T02:23:41.412Z",
      actor: PIPELINE,
      details: {
        from: "Pending",
        to: "Processing",
        managed: true,
        enrichment: {
          environment: "Production",
          severity: "critical",
          priority: "P0",
          environmentSource: "namespace label",
        },
      },
    },
    {
      type: "AnalysisCompleted",
      at: "2026-11-26T02:23:41.703Z",
      actor: PIPELINE,
      details: { workflowId: "crashloop-rollback-v1", confidence: 0.95, trustLevel: "approve" },
    },
    {
      type: "PolicyEvaluated",
      at: "2026-11-26T02:23:41.764Z",
      actor: PIPELINE,
      details: { requireApproval: true, reason: "production environment" },
    },
    {
      type: "ApprovalRequested",
      at: "2026-11-26T02:23:41.895Z",
      actor: PIPELINE,
      details: { requiredBy: "2026-11-26T02:38:41.764Z" },
    },
    {
      type: "ApprovalDecided",
      at: "2026-11-26T02:23:41.953Z",
      actor: { type: "user", id: "alice", channel: "console" },
      details: { decision: "Approved", rationale: "roll back further" },
    },
    {
      type: "PhaseChanged",
      at: "2026-11-26T02:23:42.094Z",
      actor: PIPELINE,
      details: { from: "AwaitingApproval", to: "Executing" },
    },
    // Written with the execution's own start time: a little before the phase change above.
    {
      type: "WorkflowExecutionStarted",
      at: "2026-11-26T02:23:42.038Z",
      actor: PIPELINE,
      details: { workflowId: "crashloop-rollback-v1", parameters: { toRevision: 0 } },
    },
    {
      type: "WorkflowExecuted",
      at: "2026-11-26T02:23:42.038Z",
      actor: PIPELINE,
      details: { summary: "rolled back to revision 1", preHash: "a".repeat(64), postHash: "b".repeat(64) },
    },
    {
      type: "RolloutChecked",
      at: "2026-11-26T02:23:42.332Z",
      actor: PIPELINE,
      details: { converged: true, detail: "3/3 ready" },
    },
    {
      type: "PhaseChanged",
      at: "2026-11-26T02:23:42.384Z",
      actor: PIPELINE,
      details: { from: "Executing", to: "Verifying" },
    },
    {
      type: "SignalResolved",
      at: "2026-11-26T02:23:42.413Z",
      actor: { type: "service", id: "gateway", channel: "webhook" },
    },
    {
      type: "EffectivenessAssessed",
      at: "2026-11-26T02:30:22.485Z",
      actor: { type: "system", id: "effectiveness-monitor", channel: "pipeline" },
      details: { score: 1, reason: "Full", from: "Verifying", to: "Completed", outcome: "Remediated" },
    },
  ];
}
