import { type ListTasksRequest, type ListTasksResponse, Task, TaskState, taskStateToJSON } from "@a2a-js/sdk";
import { RequestMalformedError } from "@a2a-js/sdk/errors";
import type { ServerCallContext, TaskStore } from "@a2a-js/sdk/server";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { A2ATaskRecordStore, epochSeconds, InvalidPageTokenError } from "@kubernaut/store";

/**
 * A2A tasks in the one table (DESIGN §4; keys and queries in packages/store, a2a-tasks.ts), so a task
 * outlives the Lambda container that created it. A task is only ever visible to the API token that
 * created it (`owner`), as the SDK's own stores scope tasks by user.
 */

/** A stored task with what a conditional rewrite needs. */
export interface TaskRecord {
  task: Task;
  version: number;
  projection?: string;
}

/** The task is someone else's: ids are random UUIDs, so this is a caller guessing, never a collision. */
export class TaskOwnershipError extends Error {
  constructor(taskId: string) {
    super(`task ${taskId} belongs to another caller`);
    this.name = "TaskOwnershipError";
  }
}

/** The SDK's TaskStore on DynamoDB, scoped to the authenticated caller (the API token's name). */
export class DynamoTaskStore implements TaskStore {
  private readonly records: A2ATaskRecordStore;

  constructor(
    db: DynamoDBDocumentClient,
    tableName: string,
    retentionDays: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.records = new A2ATaskRecordStore(db, tableName, retentionDays);
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    return (await this.record(taskId, context))?.task;
  }

  /** The task with its version; absent when missing, expired (TTL is lazy) or someone else's. */
  async record(taskId: string, context: ServerCallContext): Promise<TaskRecord | undefined> {
    const stored = await this.records.get(taskId);
    if (!stored) return undefined;
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
    const pageSize = params.pageSize ?? 50;
    const filter = {
      ...(params.contextId ? { contextId: params.contextId } : {}),
      ...(params.status !== undefined && params.status !== TaskState.TASK_STATE_UNSPECIFIED
        ? { state: taskStateToJSON(params.status) }
        : {}),
      ...(params.statusTimestampAfter
        ? { statusTimestampAfter: new Date(params.statusTimestampAfter).toISOString() }
        : {}),
    };
    try {
      const page = await this.records.list(
        ownerOf(context),
        filter,
        { pageSize, pageToken: params.pageToken || undefined },
        this.now(),
      );
      return {
        tasks: page.items.map((stored) => Task.fromJSON(stored.task)),
        nextPageToken: page.nextPageToken,
        pageSize,
        totalSize: page.totalSize,
      };
    } catch (error) {
      if (error instanceof InvalidPageTokenError) throw new RequestMalformedError(error.message);
      throw error;
    }
  }

  private async write(
    task: Task,
    context: ServerCallContext,
    options: { expectedVersion?: number; projection?: string },
  ): Promise<boolean> {
    const now = this.now();
    return this.records.write(
      {
        taskId: task.id,
        owner: ownerOf(context),
        task: Task.toJSON(task) as Record<string, unknown>,
        contextId: task.contextId,
        state: taskStateToJSON(task.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED),
        statusTimestamp: task.status?.timestamp ?? now.toISOString(),
        ...(options.projection ? { projection: options.projection } : {}),
      },
      now,
      options.expectedVersion,
    );
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
