import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { addDays, epochSeconds } from "./keys";

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
});
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;

export function approvalIdFor(remediationId: string): string {
  return `rar-${remediationId.replace(/^rr-/, "")}`;
}

const key = (id: string) => ({ pk: `RAR#${id}`, sk: "RAR" });

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

  /** Creates the request, or — when a retry already created it — hands the still-pending one the new token. */
  async createOrRefreshToken(
    request: Omit<ApprovalRequest, "decision">,
  ): Promise<{ request: ApprovalRequest; created: boolean }> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key(request.id), ...request, ...this.pendingIndex(request.id, request.requiredBy) },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return { request, created: true };
    } catch (error) {
      if (!(error instanceof Error && error.name === "ConditionalCheckFailedException")) throw error;
    }
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
    },
  ): Promise<ApprovalRequest | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(id),
          UpdateExpression:
            "SET decision = :decision, decidedBy = :by, decidedVia = :via, decidedAt = :at, message = :message, " +
            "gsi2pk = :decided, expiresAt = :expires",
          ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(decision)",
          ExpressionAttributeValues: {
            ":decision": decision.decision,
            ":by": decision.decidedBy,
            ":via": decision.decidedVia,
            ":at": decision.at.toISOString(),
            ":message": decision.message ?? null,
            ":decided": `RAR#${decision.decision}`,
            ":expires": epochSeconds(addDays(decision.at, this.retentionDays)),
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return ApprovalRequest.parse({ ...Attributes, message: Attributes?.message ?? undefined });
    } catch (error) {
      if (error instanceof Error && error.name === "ConditionalCheckFailedException") return undefined;
      throw error;
    }
  }

  private pendingIndex(id: string, requiredBy: string) {
    return { gsi2pk: "RAR#Pending", gsi2sk: `${requiredBy}#${id}` };
  }
}
