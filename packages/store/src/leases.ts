import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";

import { isConditionalCheckFailed } from "./errors";
import { keys } from "./keys";

const key = keys.lease;

/**
 * Per-target leases (DESIGN §3.7): one remediation at a time may change a workload. A lease is one
 * conditional write with `expiresAt`; an expired lease counts as absent whatever TTL has done, so a
 * crashed holder blocks the target only until its lease runs out.
 */
export class LeaseStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Takes (or renews) the lease; returns the current holder when someone else has it. */
  async acquire(
    target: string,
    holder: string,
    ttlMs: number,
    now = new Date(),
  ): Promise<{ acquired: true } | { acquired: false; holder: string; until: string }> {
    const expiresAt = Math.floor((now.getTime() + ttlMs) / 1000);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key(target), holder, target, expiresAt, acquiredAt: now.toISOString() },
          ConditionExpression: "attribute_not_exists(pk) OR holder = :holder OR expiresAt <= :now",
          ExpressionAttributeValues: { ":holder": holder, ":now": Math.floor(now.getTime() / 1000) },
        }),
      );
      return { acquired: true };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: key(target), ConsistentRead: true }),
      );
      return {
        acquired: false,
        holder: String(Item?.holder),
        until: new Date(Number(Item?.expiresAt) * 1000).toISOString(),
      };
    }
  }

  /**
   * Releases the lease if this holder still has it, by expiring it: an expired lease is absent to every
   * reader, and TTL removes the item later. (The pipeline's functions may not delete items.)
   */
  async release(target: string, holder: string, now = new Date()): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(target),
          UpdateExpression: "SET expiresAt = :now, releasedAt = :at",
          ConditionExpression: "holder = :holder AND expiresAt > :now",
          ExpressionAttributeValues: {
            ":holder": holder,
            ":now": Math.floor(now.getTime() / 1000),
            ":at": now.toISOString(),
          },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}

/**
 * The lease key of a target: cluster, namespace, kind and name. Deliberately not the fingerprint's
 * encoding: a label value with `:` can only make two targets share a lease (one waits, ResourceBusy),
 * never give one target two leases, and keeping the key as it was means a lease held across an upgrade
 * still guards its target.
 */
export function leaseKey(target: {
  cluster?: string;
  namespace?: string;
  kind: string;
  name: string;
}): string {
  return `${target.cluster ?? ""}:${target.namespace ?? ""}:${target.kind}:${target.name}`;
}
