import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from "@aws-sdk/client-sfn";
import type { ApprovalRequest, ApprovalStore, RemediationStore } from "@kubernaut/store";
import { logger } from "@kubernaut/telemetry";

/** Sends a decision to the execution waiting on its token. The port lets tests inject a crash. */
export interface DecisionSender {
  send(approval: ApprovalRequest): Promise<"delivered" | "no-longer-waiting">;
}

/** Rejected → SendTaskFailure(ApprovalRejected), which the state machine catches into RecordRejected. */
export const APPROVAL_REJECTED_ERROR = "ApprovalRejected";

export class StepFunctionsDecisionSender implements DecisionSender {
  constructor(private readonly sfn: SFNClient) {}

  async send(approval: ApprovalRequest): Promise<"delivered" | "no-longer-waiting"> {
    try {
      if (approval.decision === "Approved") {
        await this.sfn.send(
          new SendTaskSuccessCommand({
            taskToken: approval.taskToken,
            output: JSON.stringify({
              decision: "Approved",
              decidedBy: approval.decidedBy,
              ...(approval.override ? { override: approval.override } : {}),
            }),
          }),
        );
      } else if (approval.decision === "Rejected") {
        await this.sfn.send(
          new SendTaskFailureCommand({
            taskToken: approval.taskToken,
            error: APPROVAL_REJECTED_ERROR,
            cause:
              `rejected by ${approval.decidedBy}${approval.message ? `: ${approval.message}` : ""}`.slice(
                0,
                256,
              ),
          }),
        );
      } else {
        // Expired: the execution's own timeout already moved it on; there is nothing to send.
        return "no-longer-waiting";
      }
      return "delivered";
    } catch (error) {
      // The execution is not waiting any more (it timed out, or a retried task holds a newer token that
      // a later delivery will use): the decision stays recorded, but there is nobody to tell.
      if (error instanceof TaskTimedOut || error instanceof TaskDoesNotExist) return "no-longer-waiting";
      throw error;
    }
  }
}

export interface DeliveryDeps {
  store: RemediationStore;
  approvals: ApprovalStore;
  sender: DecisionSender;
  now?: () => Date;
}

/**
 * The outbox step (DESIGN §3.6): makes a recorded decision take effect — the remediation's audit event
 * (once), the Step Functions callback, then the outbox entry removed. Every part is safe to repeat, so a
 * crash anywhere is repaired by the next sweep.
 */
export async function deliverDecision(deps: DeliveryDeps, approval: ApprovalRequest): Promise<boolean> {
  if (!approval.decision || !approval.decidedAt || !approval.decidedBy || !approval.decidedVia) return false;
  const rr = await deps.store.get(approval.remediationId);
  if (rr && !rr.approvalDecision) {
    const proposed = { workflowId: rr.analysis?.workflowId, parameters: rr.analysis?.parameters ?? {} };
    const approved = approval.override
      ? { workflowId: approval.override.workflowName, parameters: approval.override.parameters }
      : proposed;
    await deps.store
      .appendAudit(
        rr.id,
        {
          type: "ApprovalDecided",
          at: approval.decidedAt,
          actor: { type: "user", id: approval.decidedBy, channel: channelOf(approval.decidedVia) },
          details: {
            approvalRequestId: approval.id,
            decision: approval.decision,
            message: approval.message,
            policyHash: approval.policyHash,
            proposed,
            ...(approval.decision === "Approved" ? { approved } : {}),
            ...(approval.override ? { rationale: approval.override.rationale } : {}),
          },
        },
        {
          set: {
            approvalDecision: {
              decision: approval.decision,
              decidedBy: approval.decidedBy,
              decidedVia: approval.decidedVia,
              decidedAt: approval.decidedAt,
              ...(approval.message ? { message: approval.message } : {}),
              ...(approval.override ? { override: approval.override } : {}),
            },
          },
          precondition: (current) => !current.approvalDecision,
        },
      )
      .catch((error: unknown) => {
        // Another delivery recorded it first: exactly what we wanted.
        if (!(error instanceof Error && error.name === "ConcurrentUpdateError")) throw error;
      });
  }
  const result = await deps.sender.send(approval);
  // Conditioned on the token just used: a retried request-approval may have handed in a newer one, and
  // then the decision must stay in the outbox until it reaches that one.
  await deps.approvals.markDelivered(
    approval.id,
    deps.now?.() ?? new Date(),
    result === "no-longer-waiting" ? "the execution was no longer waiting" : undefined,
    approval.taskToken,
  );
  return result === "delivered";
}

/** Drains the outbox: run on a schedule (EventBridge on AWS, a timer locally). */
export async function deliverPendingDecisions(
  deps: DeliveryDeps,
): Promise<{ delivered: number; failed: number }> {
  let delivered = 0;
  let failed = 0;
  for (const approval of await deps.approvals.undelivered()) {
    try {
      await deliverDecision(deps, approval);
      delivered++;
    } catch (error) {
      failed++;
      logger.warn("decision delivery failed; the next sweep retries", { approvalId: approval.id, error });
    }
  }
  return { delivered, failed };
}

function channelOf(via: string): "api" | "cli" | "slack" | "console" | "mcp" {
  return (["api", "cli", "slack", "console", "mcp"] as const).find((c) => c === via) ?? "api";
}
