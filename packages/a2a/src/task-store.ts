import { type ListTasksRequest, type ListTasksResponse, Task, TaskState, taskStateToJSON } from "@a2a-js/sdk";
import { RequestMalformedError } from "@a2a-js/sdk/errors";
import type { ServerCallContext, TaskStore } from "@a2a-js/sdk/server";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { addDays, epochSeconds } from "@kubernaut/store";
import { z } from "zod";

/**
 * A2A tasks in the one table (DESIGN §4), so a task outlives the Lambda container that created it:
 *
 * | item     | pk            | sk   | gsi1 (pk / sk)                             |
 * |----------|---------------|------|--------------------------------------------|
 * | A2A task | A2A#<taskId>  | TASK | A2A#OWNER#<owner> / <createdAt>#<taskId>   |
 *
 * - `A2A#<taskId>` answers GetTask (and every load the SDK makes while it processes a message).
 * - gsi1 answers ListTasks: the caller's tasks, newest first. A task is only ever visible to the API
 *   token that created it (`owner`), as the SDK's own stores scope tasks by user.
 * - Attributes: `owner`, `contextId`, `state` (e.g. `TASK_STATE_INPUT_REQUIRED`, for list filters),
 *   `statusTimestamp`, `task` (the A2A Task in its protocol JSON), `version` (bumped by every write, so a
 *   recomputation never overwrites a newer write), `projection` (the digest of what was last derived from
 *   the remediation), `createdAt`, `updatedAt`, `expiresAt` (TTL, the remediation retention).
 */
export const taskKey = (taskId: string) => ({ pk: `A2A#${taskId}`, sk: "TASK" });
const ownerPartition = (owner: string) => `A2A#OWNER#${owner}`;

const StoredTask = z.object({
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

/** A stored task with what a conditional rewrite needs. */
export interface TaskRecord {
  task: Task;
  version: number;
  projection?: string;
}

const PageToken = z.object({ pk: z.string(), sk: z.string(), gsi1pk: z.string(), gsi1sk: z.string() });

/** The task is someone else's: ids are random UUIDs, so this is a caller guessing, never a collision. */
export class TaskOwnershipError extends Error {
  constructor(taskId: string) {
    super(`task ${taskId} belongs to another caller`);
    this.name = "TaskOwnershipError";
  }
}

/** The SDK's TaskStore on DynamoDB, scoped to the authenticated caller (the API token's name). */
export class DynamoTaskStore implements TaskStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    return (await this.record(taskId, context))?.task;
  }

  /** The task with its version; absent when missing, expired (TTL is lazy) or someone else's. */
  async record(taskId: string, context: ServerCallContext): Promise<TaskRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: taskKey(taskId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const stored = StoredTask.parse(Item);
    if (stored.owner !== ownerOf(context) || this.expired(stored.expiresAt)) return undefined;
    return {
      task: Task.fromJSON(stored.task),
      version: stored.version,
      ...(stored.projection ? { projection: stored.projection } : {}),
    };
  }

  /** The SDK's write: unconditional for the owner (it serialises its own writes per task). */
  async save(task: Task, context: ServerCallContext): Promise<void> {
    if (!(await this.write(task, context, {}))) throw new TaskOwnershipError(task.id);
  }

  /**
   * Rewrites a task recomputed from its remediation, only if nobody wrote it since `expectedVersion` was
   * read; `false` means a newer write won, and the next read recomputes from that.
   */
  async replace(
    task: Task,
    context: ServerCallContext,
    expectedVersion: number,
    projection: string,
  ): Promise<boolean> {
    return this.write(task, context, { expectedVersion, projection });
  }

  async list(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    const owner = ownerOf(context);
    const pageSize = params.pageSize ?? 50;
    const filter = this.listFilter(params);
    const base: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: "gsi1",
      KeyConditionExpression: "gsi1pk = :pk",
      FilterExpression: filter.expression,
      ExpressionAttributeNames: filter.names,
      ExpressionAttributeValues: { ":pk": ownerPartition(owner), ...filter.values },
      ScanIndexForward: false,
    };
    const tasks: Task[] = [];
    let startKey: Record<string, unknown> | undefined = params.pageToken
      ? decodeToken(params.pageToken)
      : undefined;
    let nextPageToken = "";
    do {
      const page = await this.db.send(
        new QueryCommand({ ...base, Limit: pageSize, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
      );
      const items = page.Items ?? [];
      for (const [index, item] of items.entries()) {
        const stored = StoredTask.parse(item);
        tasks.push(Task.fromJSON(stored.task));
        if (tasks.length === pageSize) {
          const more = index < items.length - 1 || page.LastEvaluatedKey !== undefined;
          if (more) nextPageToken = encodeToken(stored);
          break;
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (tasks.length < pageSize && startKey);
    return { tasks, nextPageToken, pageSize, totalSize: await this.count(base) };
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

  private listFilter(params: ListTasksRequest) {
    const names: Record<string, string> = { "#expiresAt": "expiresAt" };
    const values: Record<string, unknown> = { ":now": epochSeconds(this.now()) };
    const clauses = ["(attribute_not_exists(#expiresAt) OR #expiresAt > :now)"];
    if (params.contextId) {
      names["#contextId"] = "contextId";
      values[":contextId"] = params.contextId;
      clauses.push("#contextId = :contextId");
    }
    if (params.status !== undefined && params.status !== TaskState.TASK_STATE_UNSPECIFIED) {
      names["#state"] = "state";
      values[":state"] = taskStateToJSON(params.status);
      clauses.push("#state = :state");
    }
    if (params.statusTimestampAfter) {
      names["#statusTimestamp"] = "statusTimestamp";
      values[":after"] = new Date(params.statusTimestampAfter).toISOString();
      clauses.push("#statusTimestamp >= :after");
    }
    return { expression: clauses.join(" AND "), names, values };
  }

  private async write(
    task: Task,
    context: ServerCallContext,
    options: { expectedVersion?: number; projection?: string },
  ): Promise<boolean> {
    const owner = ownerOf(context);
    const now = this.now();
    const fields: Record<string, unknown> = {
      task: Task.toJSON(task),
      owner,
      contextId: task.contextId,
      state: taskStateToJSON(task.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED),
      statusTimestamp: task.status?.timestamp ?? now.toISOString(),
      updatedAt: now.toISOString(),
      expiresAt: epochSeconds(addDays(now, this.retentionDays)),
      gsi1pk: ownerPartition(owner),
      ...(options.projection ? { projection: options.projection } : {}),
    };
    const names: Record<string, string> = {
      "#version": "version",
      "#createdAt": "createdAt",
      "#gsi1sk": "gsi1sk",
    };
    const values: Record<string, unknown> = {
      ":one": 1,
      ":createdAt": now.toISOString(),
      ":gsi1sk": `${now.toISOString()}#${task.id}`,
      ":owner": owner,
    };
    const sets = Object.entries(fields).map(([field, value], i) => {
      names[`#f${i}`] = field;
      values[`:f${i}`] = value;
      return `#f${i} = :f${i}`;
    });
    names["#owner"] = "owner";
    let condition = "attribute_not_exists(pk) OR #owner = :owner";
    if (options.expectedVersion !== undefined) {
      values[":expected"] = options.expectedVersion;
      condition = "#owner = :owner AND #version = :expected";
    }
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: taskKey(task.id),
          UpdateExpression: `SET ${sets.join(", ")}, #createdAt = if_not_exists(#createdAt, :createdAt), #gsi1sk = if_not_exists(#gsi1sk, :gsi1sk) ADD #version :one`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  }

  private expired(expiresAt: number | undefined): boolean {
    return expiresAt !== undefined && expiresAt <= epochSeconds(this.now());
  }
}

/** Tasks belong to the API token that created them; the routes authenticate every call. */
export function ownerOf(context: ServerCallContext): string {
  const user = context.user;
  if (!user?.isAuthenticated || !user.userName) throw new Error("A2A tasks need an authenticated caller");
  return user.userName;
}

function encodeToken(stored: z.infer<typeof StoredTask>): string {
  const key = { pk: stored.pk, sk: stored.sk, gsi1pk: stored.gsi1pk, gsi1sk: stored.gsi1sk };
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

function decodeToken(token: string): Record<string, unknown> {
  try {
    return PageToken.parse(JSON.parse(Buffer.from(token, "base64url").toString("utf8")));
  } catch {
    throw new RequestMalformedError("pageToken is not one this server issued");
  }
}
