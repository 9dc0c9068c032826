import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { Suggestion } from "@kubernaut/core";
import { isConditionalCheckFailed } from "./errors";
import { indexes, keys } from "./keys";
import { EMPTY_STATS } from "./trust";

const key = keys.suggestion;

/** Why a conversion did not happen: the suggestion was converted already, or the workflow id is taken. */
export class SuggestionConflictError extends Error {
  constructor(
    readonly reason: "AlreadyConverted" | "WorkflowExists",
    message: string,
  ) {
    super(message);
    this.name = "SuggestionConflictError";
  }
}

/**
 * Suggestions (DESIGN §3.3): one per remediation that no workflow matched, listed newest first for
 * review. Converting one registers a workflow — its trust record at `observe`, carrying the definition —
 * and marks the suggestion converted, in one transaction: a double click cannot register two.
 */
export class SuggestionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Idempotent: a retried analysis finds the suggestion it wrote and keeps it. */
  async record(suggestion: Suggestion): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key(suggestion.id),
            ...suggestion,
            ...indexes.suggestionInAll(suggestion.createdAt, suggestion.id),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async get(id: string): Promise<Suggestion | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key(id), ConsistentRead: true }),
    );
    return Item ? toSuggestion(Item) : undefined;
  }

  async list(limit = 100): Promise<Suggestion[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: "gsi3",
        KeyConditionExpression: "gsi3pk = :sug",
        ExpressionAttributeValues: { ":sug": indexes.SUGGESTIONS },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map(toSuggestion);
  }

  async convert(
    id: string,
    definition: { id: string } & Record<string, unknown>,
    by: string,
    at: Date,
  ): Promise<Suggestion> {
    const convertedTo = { workflowId: definition.id, by, at: at.toISOString() };
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: key(id),
                UpdateExpression: "SET #status = :converted, convertedTo = :to",
                ConditionExpression: "#status = :open",
                ExpressionAttributeNames: { "#status": "status" },
                ExpressionAttributeValues: { ":converted": "Converted", ":open": "Open", ":to": convertedTo },
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.workflow(definition.id),
                  workflowId: definition.id,
                  // A workflow made from a suggestion starts at observe, whatever newWorkflowsDryRun says.
                  level: "observe",
                  namespaces: {},
                  registeredAt: at.toISOString(),
                  changedBy: by,
                  changedAt: at.toISOString(),
                  reason: `registered from suggestion ${id}`,
                  stats: { ...EMPTY_STATS },
                  definition,
                  suggestionId: id,
                  ...indexes.workflowInAll(definition.id),
                },
                ConditionExpression: "attribute_not_exists(pk)",
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        const [suggestion, workflow] = (error.CancellationReasons ?? []).map(
          (r) => r.Code === "ConditionalCheckFailed",
        );
        if (suggestion)
          throw new SuggestionConflictError("AlreadyConverted", `suggestion ${id} was already converted`);
        if (workflow)
          throw new SuggestionConflictError("WorkflowExists", `workflow ${definition.id} already exists`);
      }
      throw error;
    }
    const converted = await this.get(id);
    if (!converted) throw new Error(`suggestion ${id} vanished after its conversion`);
    return converted;
  }
}

function toSuggestion(item: Record<string, unknown>): Suggestion {
  const { pk: _pk, sk: _sk, gsi3pk: _g, gsi3sk: _s, ...rest } = item;
  return Suggestion.parse(rest);
}
