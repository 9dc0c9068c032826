import type { RemediationRequest } from "@kubernaut/core";
import type { ApprovalRequest } from "@kubernaut/store";
import { findWorkflow, type WorkflowDefinition } from "@kubernaut/workflows";
import type { ConsoleDeps } from "../deps";

/** One waiting request with what an approver needs to decide it. */
export interface QueueItem {
  approval: ApprovalRequest;
  remediation: RemediationRequest | undefined;
  workflow: WorkflowDefinition | undefined;
}

/** How many requests the queue shows: the soonest deadlines first, which are the ones to act on. */
export const QUEUE_LIMIT = 100;

/**
 * The pending requests, soonest deadline first, each with its remediation. A request past `requiredBy`
 * is expired in effect even before anyone records it (as in `GET /api/v1/approvals`), so it is not shown
 * as decidable. A waiting request's remediation is AwaitingApproval, so both come from one Query each
 * (by state, in parallel) and are joined here; only a remediation the phase index did not return (it
 * moved on, or more are waiting than the page shows) is read on its own. The page's cost stays two
 * queries however long the queue is.
 */
export async function loadQueue(deps: ConsoleDeps, limit = QUEUE_LIMIT): Promise<QueueItem[]> {
  const now = (deps.now?.() ?? new Date()).getTime();
  const [requests, waiting] = await Promise.all([
    deps.decisions.approvals.list("Pending", limit),
    deps.decisions.store.list({ phase: "AwaitingApproval", limit }),
  ]);
  const pending = requests.filter((approval) => Date.parse(approval.requiredBy) > now);
  const byId = new Map(waiting.items.map((rr) => [rr.id, rr]));
  const missing = pending.filter((approval) => !byId.has(approval.remediationId));
  const fetched = await Promise.all(
    missing.map((approval) => deps.decisions.store.get(approval.remediationId)),
  );
  for (const rr of fetched) if (rr) byId.set(rr.id, rr);
  return pending.map((approval) => {
    const remediation = byId.get(approval.remediationId);
    const workflowId = remediation?.analysis?.workflowId ?? approval.workflowId;
    return {
      approval,
      remediation,
      workflow: workflowId ? findWorkflow(workflowId, deps.decisions.catalog) : undefined,
    };
  });
}

/** One request for the approve-with-changes page. */
export async function loadRequest(deps: ConsoleDeps, id: string): Promise<QueueItem | undefined> {
  const approval = await deps.decisions.approvals.get(id);
  if (!approval) return undefined;
  const remediation = await deps.decisions.store.get(approval.remediationId);
  const workflowId = remediation?.analysis?.workflowId ?? approval.workflowId;
  return {
    approval,
    remediation,
    workflow: workflowId ? findWorkflow(workflowId, deps.decisions.catalog) : undefined,
  };
}
