import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { IntakeRequest, type IntakeState } from "@kubernaut/core";
import { isConditionalCheckFailed } from "./errors";
import { addDays, epochSeconds, keys } from "./keys";

const key = keys.intake;

/** States an intake never leaves: a retried task that finds one of these does nothing. */
const FINAL: readonly IntakeState[] = ["Submitted", "Failed"];

/**
 * Natural-language intake requests (DESIGN §9 `GET /api/v1/intake/{id}`). Every transition is a
 * conditional write that refuses to leave a final state, so a Step Functions retry or a duplicate
 * execution cannot overwrite the remediation an intake already produced.
 */
export class IntakeStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
  ) {}

  /** Writes a new request; `false` when one with this id exists (a retried submission). */
  async create(request: IntakeRequest): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key(request.id),
            ...request,
            expiresAt: epochSeconds(addDays(new Date(request.createdAt), this.retentionDays)),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async get(id: string): Promise<IntakeRequest | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key(id), ConsistentRead: true }),
    );
    return Item ? IntakeRequest.parse(Item) : undefined;
  }

  /**
   * Moves a request on, merging `fields`; `false` when it is already final (nothing written). Only the
   * named fields change, so a late retry of an earlier step cannot erase what a later step recorded.
   */
  async advance(
    id: string,
    state: IntakeState,
    fields: Partial<Omit<IntakeRequest, "id" | "state" | "createdAt">>,
    now: Date,
  ): Promise<boolean> {
    const updates: Record<string, unknown> = { ...fields, state, updatedAt: now.toISOString() };
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = Object.entries(updates)
      .filter(([, value]) => value !== undefined)
      .map(([field, value], i) => {
        names[`#f${i}`] = field;
        values[`:v${i}`] = value;
        return `#f${i} = :v${i}`;
      });
    FINAL.forEach((final, i) => {
      values[`:final${i}`] = final;
    });
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(id),
          UpdateExpression: `SET ${sets.join(", ")}`,
          ConditionExpression: `attribute_exists(pk) AND NOT (#state IN (${FINAL.map((_, i) => `:final${i}`).join(", ")}))`,
          ExpressionAttributeNames: { ...names, "#state": "state" },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}
