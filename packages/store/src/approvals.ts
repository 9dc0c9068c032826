import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { isConditionalCheckFailed } from "./errors";
import { addDays, epochSeconds, indexes, keys } from "./keys";

export const ApprovalDecision = z.enum(["Approved", "Rejected", "Expired"]);
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

/** A RemediationApprovalRequest (DESIGN §4): one per remediation, holding the callback token. */
export const ApprovalRequest = z.object({
  id: z.string(),
  remediationId: z.string(),
  fingerprint: z.string(),
  taskToken: z.string(),
  createdAt: z.string(),
  requiredBy: z.string(),
  reason: z.string(),
  policyHash: z.string().optional(),
  degraded: z.boolean(),
  workflowId: z.string().optional(),
  confidence: z.number(),
  environment: z.string(),
  namespace: z.string().optional(),
  decision: ApprovalDecision.optional(),
  decidedBy: z.string().optional(),
  decidedVia: z.string().optional(),
  decidedAt: z.string().optional(),
  message: z.string().optional(),
  /** An operator's approve-with-changes: the workflow and absolute parameters that will run instead. */
  override: z
    .object({
      workflowName: z.string(),
      parameters: z.record(z.string(), z.unknown()),
      rationale: z.string(),
    })
    .optional(),
  /** When the decision reached the waiting execution (the outbox is drained). */
  deliveredAt: z.string().optional(),
  deliveryNote: z.string().optional(),
});
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;

export function approvalIdFor(remediationId: string): string {
  return `rar-${remediationId.replace(/^rr-/, "")}`;
}

const key = keys.approval;

/**
 * RemediationApprovalRequests. The id derives from the remediation, so a retried request-approval task
 * finds the one it created instead of making (and announcing) a second one.
 */
export class ApprovalStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
  ) {}

  /**
   * Creates the request, or — when an earlier attempt of the task already created it — hands it the new
   * token. A request decided in between (after the earlier attempt failed, before this retry) goes back
   * into the outbox with the new token: its decision was delivered to a token nobody waits on any more,
   * and the sweep delivers it again to the one this attempt waits on.
   */
  async createOrRefreshToken(
    request: Omit<ApprovalRequest, "decision">,
  ): Promise<{ request: ApprovalRequest; created: boolean }> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key(request.id),
            ...request,
            ...indexes.pendingApproval(request.requiredBy, request.id),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return { request, created: true };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(request.id),
          UpdateExpression: "SET taskToken = :token",
          ConditionExpression: "attribute_not_exists(decision)",
          ExpressionAttributeValues: { ":token": request.taskToken },
          ReturnValues: "ALL_NEW",
        }),
      );
      return { request: ApprovalRequest.parse(Attributes), created: false };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    // Decided meanwhile (the condition above is the only way to get here: the item exists).
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(request.id),
        UpdateExpression:
          "SET taskToken = :token, gsi3pk = :outbox, gsi3sk = :outboxKey REMOVE deliveredAt, deliveryNote",
        ConditionExpression: "attribute_exists(decision)",
        ExpressionAttributeValues: {
          ":token": request.taskToken,
          ":outbox": indexes.APPROVAL_OUTBOX,
          ":outboxKey": indexes.approvalInOutbox(request.createdAt, request.id).gsi3sk,
        },
        ReturnValues: "ALL_NEW",
      }),
    );
    return { request: ApprovalRequest.parse(Attributes), created: false };
  }

  async get(id: string): Promise<ApprovalRequest | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key(id), ConsistentRead: true }),
    );
    return Item ? ApprovalRequest.parse(Item) : undefined;
  }

  /**
   * Records a decision with one conditional write: only a pending request can be decided, so of any
   * number of concurrent deciders exactly one wins. Returns undefined when it was already decided.
   */
  async decide(
    id: string,
    decision: {
      decision: ApprovalDecision;
      decidedBy: string;
      decidedVia: string;
      at: Date;
      message?: string;
      override?: ApprovalRequest["override"];
    },
  ): Promise<ApprovalRequest | undefined> {
    // Only Expired may be recorded after requiredBy: an operator's decision must beat the deadline,
    // checked here by the database rather than by a clock read earlier in the request.
    const inTime = decision.decision === "Expired" ? "" : " AND requiredBy > :at";
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(id),
          UpdateExpression:
            "SET decision = :decision, decidedBy = :by, decidedVia = :via, decidedAt = :at, gsi2pk = :decided, " +
            "expiresAt = :expires, gsi3pk = :outbox, gsi3sk = :outboxKey" +
            (decision.message ? ", message = :message" : "") +
            (decision.override ? ", #override = :override" : ""),
          ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(decision)${inTime}`,
          ...(decision.override ? { ExpressionAttributeNames: { "#override": "override" } } : {}),
          ExpressionAttributeValues: {
            ":decision": decision.decision,
            ":by": decision.decidedBy,
            ":via": decision.decidedVia,
            ":at": decision.at.toISOString(),
            ":decided": indexes.approvalsInStatePartition(decision.decision),
            ":expires": epochSeconds(addDays(decision.at, this.retentionDays)),
            // The outbox: a sparse index of decisions not yet delivered to their execution.
            ":outbox": indexes.APPROVAL_OUTBOX,
            ":outboxKey": indexes.approvalInOutbox(decision.at.toISOString(), id).gsi3sk,
            ...(decision.message ? { ":message": decision.message } : {}),
            ...(decision.override ? { ":override": decision.override } : {}),
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return ApprovalRequest.parse(Attributes);
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  /**
   * Takes a delivered decision out of the outbox — only if it was delivered to the request's current
   * token: when a retried task handed in a newer token meanwhile, the decision stays in the outbox for it.
   * Returns whether it was taken out.
   */
  async markDelivered(id: string, at: Date, note?: string, deliveredTo?: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(id),
          UpdateExpression: `SET deliveredAt = :at${note ? ", deliveryNote = :note" : ""} REMOVE gsi3pk, gsi3sk`,
          ConditionExpression: `attribute_exists(decision)${deliveredTo ? " AND taskToken = :token" : ""}`,
          ExpressionAttributeValues: {
            ":at": at.toISOString(),
            ...(note ? { ":note": note } : {}),
            ...(deliveredTo ? { ":token": deliveredTo } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (deliveredTo && isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Decisions written but not yet delivered (a crash after the write, or Step Functions unreachable). */
  async undelivered(limit = 100): Promise<ApprovalRequest[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: "gsi3",
        KeyConditionExpression: "gsi3pk = :outbox",
        ExpressionAttributeValues: { ":outbox": indexes.APPROVAL_OUTBOX },
        Limit: limit,
      }),
    );
    return Items.map((item) => ApprovalRequest.parse(item));
  }

  /** Requests by state, soonest deadline (pending) or newest decision first. */
  async list(state: "Pending" | ApprovalDecision, limit = 50): Promise<ApprovalRequest[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: "gsi2",
        KeyConditionExpression: "gsi2pk = :state",
        ExpressionAttributeValues: { ":state": indexes.approvalsInStatePartition(state) },
        ScanIndexForward: state === "Pending",
        Limit: limit,
      }),
    );
    return Items.map((item) => ApprovalRequest.parse(item));
  }
}
