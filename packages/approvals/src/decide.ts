import type { Config } from "@kubernaut/config";
import { effectiveLevel, initialLevel, type TrustLevel } from "@kubernaut/core";
import type { Caller } from "@kubernaut/http";
import { ApiError, jsonBody, mayDecide, parseBody } from "@kubernaut/http";
import { type NotificationPort, notificationIdFor } from "@kubernaut/notify";
import { buildPolicyInput, type PolicyEngine } from "@kubernaut/policy";
import type {
  ApprovalRequest,
  ApprovalStore,
  RemediationStore,
  SystemAuditStore,
  WorkflowRecord,
} from "@kubernaut/store";
import { metrics } from "@kubernaut/telemetry";
import { findWorkflow, normalizeParameters, type WorkflowDefinition } from "@kubernaut/workflows";
import { z } from "zod";
import { type DecisionSender, deliverDecision } from "./deliver";

export const DecisionBody = z
  .object({
    decision: z.enum(["Approved", "Rejected"]),
    message: z.string().max(2000).optional(),
    workflowOverride: z
      .object({
        workflowName: z.string().min(1),
        parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
        rationale: z.string().min(1, "an override needs a rationale").max(2000),
      })
      .strict()
      .optional(),
  })
  .strict();
export type DecisionBody = z.infer<typeof DecisionBody>;

export interface DecisionDeps {
  config: () => Config;
  store: RemediationStore;
  approvals: ApprovalStore;
  systemAudit: SystemAuditStore;
  catalog: readonly WorkflowDefinition[];
  policy: PolicyEngine;
  sender: DecisionSender;
  /** Workflow trust levels (Level 2), so an override is judged at its own workflow's level. */
  trust: TrustLookup;
  /** Announces decisions (StatusUpdate); optional so a deployment without notifications still decides. */
  notifier?: NotificationPort;
  now?: () => Date;
}

/** The part of the trust store a decision reads: a workflow's record, registering it on first sight. */
export interface TrustLookup {
  get(workflowId: string, registerAs: TrustLevel): Promise<WorkflowRecord>;
}

/** An approval request as the API shows it: never with its task token. */
export function publicApproval(approval: ApprovalRequest) {
  const { taskToken: _secret, ...rest } = approval;
  return rest;
}

/**
 * Decides an approval request for the authenticated caller (DESIGN §3.6), whatever the channel (API,
 * CLI, Slack, console, MCP). The decision itself is one conditional write: only a pending request not
 * past `requiredBy` can be decided, so of any number of concurrent deciders exactly one wins and the
 * rest get 409 with the state they lost to. Delivery to the waiting execution follows through the
 * outbox, so a crash after the write cannot strand an approved remediation.
 */
export async function decideApproval(
  deps: DecisionDeps,
  request: {
    id: string;
    caller: Caller;
    channel: "api" | "cli" | "slack" | "console" | "mcp";
    body: unknown;
  },
) {
  const body = parseBody(DecisionBody, jsonBody(request.body), "decision", {
    decision: "Approved",
    message: "the rollback is right",
  });
  const now = deps.now?.() ?? new Date();
  if (body.workflowOverride && body.decision !== "Approved") {
    throw new ApiError(
      400,
      "invalid_request",
      "invalid decision: workflowOverride: only an Approved decision may carry an override",
    );
  }
  const approval = await deps.approvals.get(request.id);
  if (!approval) throw new ApiError(404, "not_found", `approval request ${request.id} does not exist`);

  if (!mayDecide(request.caller, approval.environment, approval.namespace)) {
    await auditRefusedDecision(deps, request.caller, request.channel, now, {
      approvalRequestId: approval.id,
      environment: approval.environment,
      namespace: approval.namespace,
    });
    throw new ApiError(
      403,
      "forbidden",
      `${request.caller.name} (${request.caller.role}) may not decide approvals in ${approval.environment}${approval.namespace ? `/${approval.namespace}` : ""}`,
    );
  }
  if (approval.decision) throw conflict(approval);
  if (Date.parse(approval.requiredBy) <= now.getTime()) {
    const expired = await deps.approvals.decide(approval.id, {
      decision: "Expired",
      decidedBy: "system",
      decidedVia: "api",
      at: now,
    });
    throw conflict(expired ?? (await deps.approvals.get(approval.id)) ?? approval);
  }

  const override = body.workflowOverride
    ? await checkOverride(deps, approval, body.workflowOverride, request.caller)
    : undefined;
  const decided = await deps.approvals.decide(approval.id, {
    decision: body.decision,
    decidedBy: request.caller.name,
    decidedVia: request.channel,
    at: now,
    ...(body.message ? { message: body.message } : {}),
    ...(override ? { override } : {}),
  });
  if (!decided) throw conflict((await deps.approvals.get(approval.id)) ?? approval);

  metrics.inc(
    "kubernaut_aianalysis_approval_decisions_total",
    "Approval decisions, by decision and channel",
    {
      decision: decided.decision ?? "unknown",
      channel: request.channel,
    },
  );
  let delivered = false;
  try {
    delivered = await deliverDecision(deps, decided);
  } catch {
    // Recorded but not yet delivered: the outbox sweep finishes the job. The caller's decision stands.
  }
  const rr = await deps.store.get(decided.remediationId);
  if (rr && deps.notifier) {
    const what = decided.override
      ? `Approved with changes (${decided.override.workflowName})`
      : (decided.decision ?? "Decided");
    await deps.notifier.notify({
      type: "StatusUpdate",
      remediation: rr,
      key: "decision",
      // Rewrites the approval message where it can (Slack): who decided, how and when; no more buttons.
      replaces: notificationIdFor(rr.id, "Approval"),
      subject: `${what} by ${decided.decidedBy}: ${rr.targetResource.kind}/${rr.targetResource.name}`,
      body: `${decided.id} was ${what.toLowerCase()} by ${decided.decidedBy} via ${decided.decidedVia} at ${decided.decidedAt}${decided.message ? `: ${decided.message}` : ""}.`,
      context: { approvalRequestId: decided.id },
    });
  }
  return { approval: publicApproval(decided), delivered };
}

/**
 * An authenticated caller tried to decide and may not (DESIGN §4 lists unauthorised decisions): the
 * refusal is the only thing such a request writes, one event in the system audit stream. Only callers
 * whose identity was verified get here, so the stream records insiders' attempts, not internet noise.
 */
export async function auditRefusedDecision(
  deps: Pick<DecisionDeps, "systemAudit">,
  caller: Caller,
  channel: "api" | "cli" | "slack" | "console" | "mcp",
  at: Date,
  details: { approvalRequestId: string; environment?: string; namespace?: string | undefined },
): Promise<void> {
  await deps.systemAudit.append({
    type: "DecisionRefused",
    at: at.toISOString(),
    actor: { type: "user", id: caller.name, channel },
    details: { ...details, role: caller.role },
  });
}

function conflict(approval: ApprovalRequest): ApiError {
  const state = approval.decision
    ? `already ${approval.decision} by ${approval.decidedBy} at ${approval.decidedAt}`
    : `past its deadline ${approval.requiredBy}`;
  return new ApiError(409, "conflict", `approval request ${approval.id} is ${state}`);
}

/**
 * An override must name an existing workflow, carry parameters its schema accepts (400 naming the
 * field), and pass the policy again on the changed choice: a policy `deny` refuses it with its reason.
 */
async function checkOverride(
  deps: DecisionDeps,
  approval: ApprovalRequest,
  override: NonNullable<DecisionBody["workflowOverride"]>,
  caller: Caller,
): Promise<NonNullable<ApprovalRequest["override"]>> {
  const workflow = findWorkflow(override.workflowName, deps.catalog);
  if (!workflow) {
    throw new ApiError(
      400,
      "invalid_request",
      `invalid decision: workflowOverride.workflowName: no workflow ${override.workflowName} in the catalog`,
    );
  }
  // Quantities may be typed as "600Mi"; the override is stored and executed in canonical bytes.
  const { parameters, problems } = normalizeParameters(workflow, override.parameters);
  if (problems.length > 0) {
    throw new ApiError(
      400,
      "invalid_request",
      `invalid decision: ${problems.map((p) => `workflowOverride.parameters.${p}`).join("; ")}`,
    );
  }
  const rr = await deps.store.get(approval.remediationId);
  if (!rr) throw new ApiError(404, "not_found", `remediation ${approval.remediationId} does not exist`);
  // Level 2 holds for the workflow that will run, not the one analysis proposed: an approver cannot use
  // an override to execute a workflow that is still only trusted to be observed.
  const config = deps.config();
  const namespace = rr.targetResource.namespace;
  const level = deps.trust
    ? effectiveLevel(
        await deps.trust.get(workflow.id, initialLevel(config.remediationOrchestrator)),
        namespace,
      )
    : undefined;
  if (level === "observe") {
    throw new ApiError(
      409,
      "conflict",
      `workflow ${workflow.id} is at trust level observe${namespace ? ` in ${namespace}` : ""}: an override cannot execute it; graduate it first (PATCH /api/v1/workflows/${workflow.id}/trust)`,
    );
  }
  const outcome = await deps.policy.evaluate(
    buildPolicyInput(rr, {
      confidenceThreshold: config.aianalysis.rego.confidenceThreshold,
      workflowTrustLevel: level ?? "observe",
      workflowName: workflow.id,
      actionType: workflow.actionType,
      override: { workflowName: workflow.id, parameters, rationale: override.rationale },
      identity: { user: caller.name, groups: [caller.role], name: caller.name, role: caller.role },
    }),
  );
  if (outcome.deny)
    throw new ApiError(403, "policy_denied", `the policy refuses this override: ${outcome.reason}`);
  return { workflowName: workflow.id, parameters, rationale: override.rationale };
}
