import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { isConditionalCheckFailed } from "./errors";
import { DELIVERY_PREFIX, epochSeconds, indexes, keys } from "./keys";

export type DeliveryStatus = "Pending" | "Delivered" | "FellBack" | "DeadLetter";

export interface DeliveryAttempt {
  at: string;
  outcome: "delivered" | "failed" | "rateLimited" | "breakerOpen";
  error?: string;
  httpStatus?: number;
}

export interface DeliveryRecord {
  notificationId: string;
  receiver: string;
  channel?: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  ref?: Record<string, string>;
  error?: string;
  updatedAt: string;
}

/** What the table needs of a notification request; notify's NotificationRequest, which it validates. */
export interface StoredNotification {
  id: string;
  createdAt: string;
  deliveries: ReadonlyArray<{ receiver: string; channel?: string | undefined }>;
}

/** What the table needs of a breaker's state; notify's BreakerState. */
export interface StoredBreaker {
  state: string;
  consecutiveFailures: number;
}

/**
 * NotificationRequests and their deliveries (one item per receiver, with the attempt history), and the
 * dead letters (gsi2 `DEADLETTER`, newest first). Items expire with the remediation retention. What a
 * request means is notify's: it hands in `parse`, which validates an item read back.
 */
export class NotificationRecordStore<N extends StoredNotification> {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
    private readonly parse: (item: Record<string, unknown>) => N,
  ) {}

  private expiresAt(from: Date): number {
    return epochSeconds(from) + this.retentionDays * 86_400;
  }

  /** Creates the request unless it exists (a retried task notifies once). Returns whether it was new. */
  async create(notification: N): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.notification(notification.id),
            ...notification,
            expiresAt: this.expiresAt(new Date(notification.createdAt)),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
    for (const delivery of notification.deliveries) {
      await this.db
        .send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...keys.delivery(notification.id, delivery.receiver),
              notificationId: notification.id,
              receiver: delivery.receiver,
              ...(delivery.channel ? { channel: delivery.channel } : {}),
              status: "Pending",
              attempts: [],
              updatedAt: notification.createdAt,
              expiresAt: this.expiresAt(new Date(notification.createdAt)),
            },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        )
        .catch((error: unknown) => {
          if (!isConditionalCheckFailed(error)) throw error;
        });
    }
    return true;
  }

  async get(id: string): Promise<N | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.notification(id), ConsistentRead: true }),
    );
    return Item ? this.parse(Item) : undefined;
  }

  async delivery(id: string, receiver: string): Promise<DeliveryRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.delivery(id, receiver), ConsistentRead: true }),
    );
    return Item as DeliveryRecord | undefined;
  }

  async deliveries(id: string): Promise<DeliveryRecord[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :d)",
        ExpressionAttributeValues: { ":pk": keys.notification(id).pk, ":d": DELIVERY_PREFIX },
        ConsistentRead: true,
      }),
    );
    return Items as DeliveryRecord[];
  }

  /**
   * Appends an attempt, creating the delivery item if a fallback hop reaches a receiver routing did not
   * pick. `status` moves the delivery on; a Delivered one is never moved back.
   */
  async recordAttempt(
    id: string,
    receiver: string,
    attempt: DeliveryAttempt,
    change: { status?: DeliveryStatus; ref?: Record<string, string>; error?: string } = {},
  ): Promise<void> {
    const names: Record<string, string> = { "#status": "status" };
    const values: Record<string, unknown> = {
      ":attempt": [attempt],
      ":empty": [],
      ":at": attempt.at,
      ":delivered": "Delivered",
      ":id": id,
      ":receiver": receiver,
      ":expires": this.expiresAt(new Date(attempt.at)),
    };
    const sets = [
      "attempts = list_append(if_not_exists(attempts, :empty), :attempt)",
      "updatedAt = :at",
      "notificationId = :id",
      "receiver = :receiver",
      "expiresAt = if_not_exists(expiresAt, :expires)",
    ];
    if (change.status) {
      sets.push("#status = :status");
      values[":status"] = change.status;
      if (change.status === "DeadLetter") {
        const deadLetter = indexes.deadLetter(attempt.at, id, receiver);
        sets.push("gsi2pk = :dl", "gsi2sk = :dlsk");
        values[":dl"] = deadLetter.gsi2pk;
        values[":dlsk"] = deadLetter.gsi2sk;
      }
    } else {
      sets.push("#status = if_not_exists(#status, :pending)");
      values[":pending"] = "Pending";
    }
    if (change.ref) {
      sets.push("#ref = :ref");
      names["#ref"] = "ref";
      values[":ref"] = change.ref;
    }
    if (change.error) {
      sets.push("#error = :error");
      names["#error"] = "error";
      values[":error"] = change.error;
    }
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.delivery(id, receiver),
          UpdateExpression: `SET ${sets.join(", ")}`,
          ConditionExpression: "attribute_not_exists(#status) OR #status <> :delivered",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionalCheckFailed(error)) throw error;
      });
  }

  async deadLetters(limit = 50): Promise<DeliveryRecord[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: "gsi2",
        KeyConditionExpression: "gsi2pk = :dl",
        ExpressionAttributeValues: { ":dl": indexes.DEAD_LETTERS },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items as DeliveryRecord[];
  }
}

/**
 * Circuit breaker state per channel, shared by every container through DynamoDB. Updates are
 * optimistic (a version number), so two containers failing at once both count. The state's meaning is
 * notify's: it hands in `closed`, the state of a channel never written.
 */
export class BreakerRecordStore<S extends StoredBreaker> {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly closed: S,
  ) {}

  async read(channel: string): Promise<S & { version: number }> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.breaker(channel), ConsistentRead: true }),
    );
    if (!Item) return { ...this.closed, version: 0 };
    // The item is the state as written, beside its keys, its channel and its version.
    const { pk: _pk, sk: _sk, gsi3pk: _g, gsi3sk: _s, channel: _c, version, ...state } = Item;
    return { ...(state as S), version: version as number };
  }

  /** Writes the next state if nobody else did since `version`; false means re-read and decide again. */
  async write(channel: string, next: S, version: number): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.breaker(channel),
            ...next,
            channel,
            version: version + 1,
            ...indexes.breakerInAll(channel),
          },
          ConditionExpression: version === 0 ? "attribute_not_exists(pk)" : "version = :v",
          ...(version === 0 ? {} : { ExpressionAttributeValues: { ":v": version } }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async all(): Promise<Array<S & { channel: string }>> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: "gsi3",
        KeyConditionExpression: "gsi3pk = :b",
        ExpressionAttributeValues: { ":b": indexes.BREAKERS },
      }),
    );
    return Items as Array<S & { channel: string }>;
  }
}
