import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { TransactItem } from "./client";
import { isConditionalCheckFailed } from "./errors";
import { indexes, keys } from "./keys";

/** An EffectivenessAssessment (DESIGN §4): due after the stabilization window, claimed by one run. */
export interface Assessment {
  remediationId: string;
  fingerprint: string;
  workflowId: string;
  namespace?: string;
  target: { kind: string; name: string; namespace?: string; cluster?: string };
  alertName: string;
  postHash?: string;
  executedAt: string;
  dueAt: string;
  status: "Pending" | "Claimed" | "Completed";
  alertChecks: number;
  components?: Record<string, number>;
  /** Null when no component could be assessed. */
  score?: number | null;
  reason?: string;
  completeness?: string;
  details?: Record<string, string>;
  completedAt?: string;
}

/** What one run found: the effectiveness record an assessment ends with. */
export interface AssessmentResult {
  components: Record<string, number>;
  /** Null when no component could be assessed. */
  score: number | null;
  reason: string;
  completeness: string;
  details: Record<string, string>;
  at: Date;
}

const key = keys.assessment;

/**
 * Assessments live in their remediation's partition; the due ones are also in a sparse index (gsi3
 * `ASSESS#DUE`, by due time) that a completed assessment leaves, so a run reads only what is due.
 * Claiming is one conditional write, so overlapping runs never process one twice.
 */
export class AssessmentStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Creates the assessment once (a retried record-outcome task finds it). */
  async schedule(assessment: Omit<Assessment, "status" | "alertChecks">): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key(assessment.remediationId),
            ...assessment,
            status: "Pending",
            alertChecks: 0,
            ...indexes.assessmentDue(assessment.dueAt, assessment.remediationId),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async get(remediationId: string): Promise<Assessment | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key(remediationId), ConsistentRead: true }),
    );
    return Item as Assessment | undefined;
  }

  /** Assessments due by `now`, oldest first. */
  async due(now: Date, limit: number): Promise<Assessment[]> {
    const items: Assessment[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: "gsi3",
          KeyConditionExpression: "gsi3pk = :due AND gsi3sk <= :now",
          ExpressionAttributeValues: { ":due": indexes.ASSESSMENTS_DUE, ":now": `${now.toISOString()}#~` },
          Limit: limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...((page.Items ?? []) as Assessment[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey && items.length < limit);
    return items;
  }

  /** Claims an assessment for `claimMs`; false when another run holds it (or it is done). */
  async claim(remediationId: string, runId: string, now: Date, claimMs: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(remediationId),
          UpdateExpression: "SET #status = :claimed, claimedBy = :run, claimedUntil = :until",
          ConditionExpression: "#status = :pending OR (#status = :claimed AND claimedUntil < :now)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":claimed": "Claimed",
            ":pending": "Pending",
            ":run": runId,
            ":until": new Date(now.getTime() + claimMs).toISOString(),
            ":now": now.toISOString(),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Puts it back for later (an alert still firing is checked again). */
  async reschedule(remediationId: string, dueAt: Date, alertChecks: number): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(remediationId),
        UpdateExpression:
          "SET #status = :pending, dueAt = :due, gsi3sk = :sk, alertChecks = :checks REMOVE claimedBy, claimedUntil",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: {
          ":pending": "Pending",
          ":due": dueAt.toISOString(),
          ":sk": indexes.assessmentDue(dueAt.toISOString(), remediationId).gsi3sk,
          ":checks": alertChecks,
        },
      }),
    );
  }

  /**
   * Records the result and takes the assessment out of the due index. With `claimedBy`, only while that
   * run still holds the claim: false means another run took it over (this one's claim lapsed) or finished
   * it, and nothing was written — so the result is recorded, and the workflow counted, once.
   */
  async complete(remediationId: string, result: AssessmentResult, claimedBy?: string): Promise<boolean> {
    const { Update } = this.completion(remediationId, result, claimedBy);
    try {
      await this.db.send(new UpdateCommand(Update));
      return true;
    } catch (error) {
      if (claimedBy !== undefined && isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /**
   * The same completion as one item of another store's transaction (written with the remediation's move
   * to Completed, issue 22). With `claimedBy` its condition is the claim: a run whose claim lapsed cannot
   * complete it a second time.
   */
  completion(
    remediationId: string,
    result: AssessmentResult,
    claimedBy?: string,
  ): { Update: NonNullable<TransactItem["Update"]> } {
    return {
      Update: {
        TableName: this.tableName,
        Key: key(remediationId),
        UpdateExpression:
          "SET #status = :done, components = :components, score = :score, reason = :reason, #completeness = :completeness, #details = :details, completedAt = :at REMOVE gsi3pk, gsi3sk, claimedBy, claimedUntil",
        ...(claimedBy !== undefined
          ? { ConditionExpression: "#status = :claimed AND claimedBy = :run" }
          : {}),
        // Names, not raw words: DynamoDB reserves many words, and one fails only at run time.
        ExpressionAttributeNames: {
          "#status": "status",
          "#completeness": "completeness",
          "#details": "details",
        },
        ExpressionAttributeValues: {
          ":done": "Completed",
          ":components": result.components,
          ":score": result.score,
          ":reason": result.reason,
          ":completeness": result.completeness,
          ":details": result.details,
          ":at": result.at.toISOString(),
          ...(claimedBy !== undefined ? { ":claimed": "Claimed", ":run": claimedBy } : {}),
        },
      },
    };
  }
}
