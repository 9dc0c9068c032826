import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { isConditionalCheckFailed } from "./errors";
import { addDays, epochSeconds, indexes, keys } from "./keys";

/**
 * An A2A task item. Attributes: `owner` (the API token that created it), `contextId`, `state` (e.g.
 * `TASK_STATE_INPUT_REQUIRED`, for list filters), `statusTimestamp`, `task` (the A2A Task in its protocol
 * JSON), `version` (bumped by every write, so a recomputation never overwrites a newer write),
 * `projection` (the digest of what was last derived from the remediation), `createdAt`, `updatedAt`,
 * `expiresAt` (TTL, the remediation retention).
 */
export const StoredA2ATask = z.object({
  pk: z.string(),
  sk: z.string(),
  gsi1pk: z.string(),
  gsi1sk: z.string(),
  owner: z.string(),
  task: z.record(z.string(), z.unknown()),
  version: z.number(),
  projection: z.string().optional(),
  expiresAt: z.number().optional(),
});
export type StoredA2ATask = z.infer<typeof StoredA2ATask>;

/** The fields of a task the A2A server writes (the protocol's meaning stays in packages/a2a). */
export interface A2ATaskWrite {
  taskId: string;
  owner: string;
  task: Record<string, unknown>;
  contextId: string;
  state: string;
  statusTimestamp: string;
  projection?: string;
}

/** What ListTasks may filter on, besides the owner. */
export interface A2ATaskFilter {
  contextId?: string;
  state?: string;
  /** ISO time: only tasks whose status changed at or after it. */
  statusTimestampAfter?: string;
}

const PageToken = z.object({ pk: z.string(), sk: z.string(), gsi1pk: z.string(), gsi1sk: z.string() });

/**
 * A2A tasks in the one table (DESIGN §4), so a task outlives the Lambda container that created it.
 * `A2A#<taskId>` answers GetTask; gsi1 (`A2A#OWNER#<owner>`) answers ListTasks, the caller's tasks
 * newest first. Expired tasks (TTL is lazy) are left out of lists here; a get returns them for the
 * caller to judge with its own clock.
 */
export class A2ATaskRecordStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
  ) {}

  async get(taskId: string): Promise<StoredA2ATask | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.a2aTask(taskId), ConsistentRead: true }),
    );
    return Item ? StoredA2ATask.parse(Item) : undefined;
  }

  /**
   * Writes a task for its owner: unconditionally (a new task, or the owner's own), or only if nobody
   * wrote it since `expectedVersion`. `false` means the condition failed: someone else's task, or a
   * newer write won.
   */
  async write(task: A2ATaskWrite, now: Date, expectedVersion?: number): Promise<boolean> {
    const fields: Record<string, unknown> = {
      task: task.task,
      owner: task.owner,
      contextId: task.contextId,
      state: task.state,
      statusTimestamp: task.statusTimestamp,
      updatedAt: now.toISOString(),
      expiresAt: epochSeconds(addDays(now, this.retentionDays)),
      gsi1pk: indexes.a2aTasksOfOwnerPartition(task.owner),
      ...(task.projection ? { projection: task.projection } : {}),
    };
    const names: Record<string, string> = {
      "#version": "version",
      "#createdAt": "createdAt",
      "#gsi1sk": "gsi1sk",
    };
    const values: Record<string, unknown> = {
      ":one": 1,
      ":createdAt": now.toISOString(),
      ":gsi1sk": indexes.a2aTaskOfOwner(task.owner, now.toISOString(), task.taskId).gsi1sk,
      ":owner": task.owner,
    };
    const sets = Object.entries(fields).map(([field, value], i) => {
      names[`#f${i}`] = field;
      values[`:f${i}`] = value;
      return `#f${i} = :f${i}`;
    });
    names["#owner"] = "owner";
    let condition = "attribute_not_exists(pk) OR #owner = :owner";
    if (expectedVersion !== undefined) {
      values[":expected"] = expectedVersion;
      condition = "#owner = :owner AND #version = :expected";
    }
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.a2aTask(task.taskId),
          UpdateExpression: `SET ${sets.join(", ")}, #createdAt = if_not_exists(#createdAt, :createdAt), #gsi1sk = if_not_exists(#gsi1sk, :gsi1sk) ADD #version :one`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /**
   * One page of an owner's tasks, newest first, up to `pageSize` matching tasks (reading on while a
   * filter leaves a page short), with the token of the next page (empty when there is none) and the
   * total count of matching tasks.
   */
  async list(
    owner: string,
    filter: A2ATaskFilter,
    page: { pageSize: number; pageToken?: string | undefined },
    now: Date,
  ): Promise<{ items: StoredA2ATask[]; nextPageToken: string; totalSize: number }> {
    const base = this.ownerQuery(owner, filter, now);
    const items: StoredA2ATask[] = [];
    let startKey: Record<string, unknown> | undefined = page.pageToken
      ? decodePageToken(page.pageToken)
      : undefined;
    let nextPageToken = "";
    do {
      const result = await this.db.send(
        new QueryCommand({
          ...base,
          Limit: page.pageSize,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      const found = result.Items ?? [];
      for (const [index, item] of found.entries()) {
        const stored = StoredA2ATask.parse(item);
        items.push(stored);
        if (items.length === page.pageSize) {
          const more = index < found.length - 1 || result.LastEvaluatedKey !== undefined;
          if (more) nextPageToken = encodePageToken(stored);
          break;
        }
      }
      startKey = result.LastEvaluatedKey;
    } while (items.length < page.pageSize && startKey);
    return { items, nextPageToken, totalSize: await this.count(base) };
  }

  private async count(base: QueryCommandInput): Promise<number> {
    let total = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({ ...base, Select: "COUNT", ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
      );
      total += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return total;
  }

  private ownerQuery(owner: string, filter: A2ATaskFilter, now: Date): QueryCommandInput {
    const names: Record<string, string> = { "#expiresAt": "expiresAt" };
    const values: Record<string, unknown> = { ":now": epochSeconds(now) };
    const clauses = ["(attribute_not_exists(#expiresAt) OR #expiresAt > :now)"];
    if (filter.contextId) {
      names["#contextId"] = "contextId";
      values[":contextId"] = filter.contextId;
      clauses.push("#contextId = :contextId");
    }
    if (filter.state !== undefined) {
      names["#state"] = "state";
      values[":state"] = filter.state;
      clauses.push("#state = :state");
    }
    if (filter.statusTimestampAfter) {
      names["#statusTimestamp"] = "statusTimestamp";
      values[":after"] = filter.statusTimestampAfter;
      clauses.push("#statusTimestamp >= :after");
    }
    return {
      TableName: this.tableName,
      IndexName: "gsi1",
      KeyConditionExpression: "gsi1pk = :pk",
      FilterExpression: clauses.join(" AND "),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ":pk": indexes.a2aTasksOfOwnerPartition(owner), ...values },
      ScanIndexForward: false,
    };
  }
}

/** A page token this store did not issue (or one mangled on the way). */
export class InvalidPageTokenError extends Error {
  constructor() {
    super("pageToken is not one this server issued");
    this.name = "InvalidPageTokenError";
  }
}

function encodePageToken(stored: StoredA2ATask): string {
  const key = { pk: stored.pk, sk: stored.sk, gsi1pk: stored.gsi1pk, gsi1sk: stored.gsi1sk };
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

function decodePageToken(token: string): Record<string, unknown> {
  try {
    return PageToken.parse(JSON.parse(Buffer.from(token, "base64url").toString("utf8")));
  } catch {
    throw new InvalidPageTokenError();
  }
}
