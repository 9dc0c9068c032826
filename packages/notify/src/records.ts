import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { type BreakerState, CLOSED } from "./breaker";
import { NotificationRequest } from "./types";

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

const nrKey = (id: string) => ({ pk: `NR#${id}`, sk: "NR" });
const deliveryKey = (id: string, receiver: string) => ({ pk: `NR#${id}`, sk: `DELIVERY#${receiver}` });
const breakerKey = (channel: string) => ({ pk: `BREAKER#${channel}`, sk: "BREAKER" });
const conditionFailed = (error: unknown) =>
  error instanceof Error && error.name === "ConditionalCheckFailedException";

/**
 * NotificationRequests and their deliveries (one item per receiver, with the attempt history), and the
 * dead letters (gsi2 `DEADLETTER`, newest first). Items expire with the remediation retention.
 */
export class NotificationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
  ) {}

  private expiresAt(from: Date): number {
    return Math.floor(from.getTime() / 1000) + this.retentionDays * 86_400;
  }

  /** Creates the request unless it exists (a retried task notifies once). Returns whether it was new. */
  async create(notification: NotificationRequest): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...nrKey(notification.id),
            ...notification,
            expiresAt: this.expiresAt(new Date(notification.createdAt)),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
    for (const delivery of notification.deliveries) {
      await this.db
        .send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...deliveryKey(notification.id, delivery.receiver),
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
          if (!conditionFailed(error)) throw error;
        });
    }
    return true;
  }

  async get(id: string): Promise<NotificationRequest | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: nrKey(id), ConsistentRead: true }),
    );
    return Item ? NotificationRequest.parse(Item) : undefined;
  }

  async delivery(id: string, receiver: string): Promise<DeliveryRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: deliveryKey(id, receiver), ConsistentRead: true }),
    );
    return Item as DeliveryRecord | undefined;
  }

  async deliveries(id: string): Promise<DeliveryRecord[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :d)",
        ExpressionAttributeValues: { ":pk": nrKey(id).pk, ":d": "DELIVERY#" },
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
        sets.push("gsi2pk = :dl", "gsi2sk = :dlsk");
        values[":dl"] = "DEADLETTER";
        values[":dlsk"] = `${attempt.at}#${id}#${receiver}`;
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
          Key: deliveryKey(id, receiver),
          UpdateExpression: `SET ${sets.join(", ")}`,
          ConditionExpression: "attribute_not_exists(#status) OR #status <> :delivered",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      )
      .catch((error: unknown) => {
        if (!conditionFailed(error)) throw error;
      });
  }

  async deadLetters(limit = 50): Promise<DeliveryRecord[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: "gsi2",
        KeyConditionExpression: "gsi2pk = :dl",
        ExpressionAttributeValues: { ":dl": "DEADLETTER" },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items as DeliveryRecord[];
  }
}

/**
 * Circuit breaker state per channel, shared by every container through DynamoDB. Updates are
 * optimistic (a version number), so two containers failing at once both count.
 */
export class BreakerStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async read(channel: string): Promise<BreakerState & { version: number }> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: breakerKey(channel), ConsistentRead: true }),
    );
    if (!Item) return { ...CLOSED, version: 0 };
    const { state, consecutiveFailures, openUntil, probeStartedAt, version } = Item as BreakerState & {
      version: number;
    };
    return {
      state,
      consecutiveFailures,
      version,
      ...(openUntil !== undefined ? { openUntil } : {}),
      ...(probeStartedAt !== undefined ? { probeStartedAt } : {}),
    };
  }

  /** Writes the next state if nobody else did since `version`; false means re-read and decide again. */
  async write(channel: string, next: BreakerState, version: number): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...breakerKey(channel),
            ...next,
            channel,
            version: version + 1,
            gsi3pk: "BREAKER",
            gsi3sk: channel,
          },
          ConditionExpression: version === 0 ? "attribute_not_exists(pk)" : "version = :v",
          ...(version === 0 ? {} : { ExpressionAttributeValues: { ":v": version } }),
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  async all(): Promise<Array<BreakerState & { channel: string }>> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: "gsi3",
        KeyConditionExpression: "gsi3pk = :b",
        ExpressionAttributeValues: { ":b": "BREAKER" },
      }),
    );
    return Items as Array<BreakerState & { channel: string }>;
  }
}
