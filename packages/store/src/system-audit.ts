import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { type AuditEvent, type AuditEventBody, chainAuditEvent, GENESIS_HASH } from "@kubernaut/core";
import { ConcurrentUpdateError } from "./errors";
import { AUDIT_PREFIX, addDays, epochSeconds, keys } from "./keys";

/**
 * The system audit stream (DESIGN §4): actions that belong to no remediation — trust changes,
 * pause/resume, releases, policy changes, refused requests. One hash chain per UTC day, appended with
 * the same no-fork rule as a remediation's chain: the head's sequence is the condition of the write.
 */
export class SystemAuditStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
  ) {}

  async append(body: AuditEventBody): Promise<AuditEvent> {
    const day = body.at.slice(0, 10);
    for (let attempt = 0; attempt < 8; attempt++) {
      const { Item: head } = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: keys.systemAuditHead(day), ConsistentRead: true }),
      );
      const seq = (head?.seq ?? 0) + 1;
      const event = chainAuditEvent(body, seq, head?.hash ?? GENESIS_HASH);
      const expiresAt = epochSeconds(addDays(new Date(body.at), this.retentionDays));
      try {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.tableName,
                  Item: { ...keys.systemAuditHead(day), seq, hash: event.hash, expiresAt },
                  ConditionExpression: head ? "seq = :prev" : "attribute_not_exists(pk)",
                  ...(head ? { ExpressionAttributeValues: { ":prev": head.seq } } : {}),
                },
              },
              {
                Put: {
                  TableName: this.tableName,
                  Item: { ...keys.systemAudit(day, seq), ...event, expiresAt },
                  ConditionExpression: "attribute_not_exists(pk)",
                },
              },
            ],
          }),
        );
        return event;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
      }
    }
    throw new ConcurrentUpdateError(`system audit chain of ${day} kept moving`);
  }

  async day(day: string): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :a)",
          ExpressionAttributeValues: { ":pk": keys.systemAuditPartition(day), ":a": AUDIT_PREFIX },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const { seq, at, type, actor, details, prevHash, hash } = item as AuditEvent;
        events.push(
          details === undefined
            ? { seq, at, type, actor, prevHash, hash }
            : { seq, at, type, actor, details, prevHash, hash },
        );
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return events;
  }
}
