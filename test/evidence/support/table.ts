import { type DynamoDBDocumentClient, GetCommand, QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { type AuditEvent, canonicalJson, verifyAuditChain } from "@kubernaut/core";
import { keys } from "@kubernaut/store";
import type { WriteSpy } from "./write-spy";

type Item = Record<string, unknown>;

const SYSTEM_AUDIT = "AUDIT#SYSTEM#";

export interface TableChanges {
  /** Items outside the system audit stream that were added, changed or removed since the baseline. */
  other: Array<{ key: string; before?: Item; after?: Item }>;
  /** System audit events appended since the baseline, oldest first. */
  systemAudit: AuditEvent[];
  /** Write commands sent since the baseline (or the last check), with the partitions they touch. */
  writes: Array<{ command: string; partitions: string[] }>;
}

/**
 * The ground truth for "a refused request writes nothing" (DESIGN §9): the whole table is scanned
 * before and after, and the write commands the application sent in between are listed. The one write
 * a refused request may cause is a system audit event (DESIGN §4), so the daily system audit
 * partitions are read separately — from their last known sequence, which keeps each check cheap while
 * thousands of refused Slack requests grow the stream.
 */
export class TableWatch {
  private items = new Map<string, string>();
  private heads = new Map<string, number>();
  private since = new Date();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Installed on the same client the application writes through. */
    private readonly spy: WriteSpy,
  ) {}

  /** Takes the current table as the state every later `changes()` is compared with. */
  async baseline(): Promise<void> {
    this.since = new Date();
    this.items = await this.scanOutsideSystemAudit();
    this.heads = new Map();
    for (const day of this.days()) this.heads.set(day, await this.headSeq(day));
    this.spy.take();
  }

  /** Everything that changed since the baseline. */
  async changes(): Promise<TableChanges> {
    const now = await this.scanOutsideSystemAudit();
    const other: TableChanges["other"] = [];
    for (const [key, after] of now) {
      const before = this.items.get(key);
      if (before !== after)
        other.push({
          key,
          after: JSON.parse(after) as Item,
          ...(before ? { before: JSON.parse(before) as Item } : {}),
        });
    }
    for (const [key, before] of this.items) {
      if (!now.has(key)) other.push({ key, before: JSON.parse(before) as Item });
    }
    const systemAudit: AuditEvent[] = [];
    for (const day of this.days())
      systemAudit.push(...(await this.eventsAfter(day, this.heads.get(day) ?? 0)));
    return { other, systemAudit, writes: this.spy.take() };
  }

  /** Moves the baseline past system audit events a test has checked and allowed. */
  acceptSystemAudit(events: readonly AuditEvent[]): void {
    for (const event of events) {
      const day = event.at.slice(0, 10);
      this.heads.set(day, Math.max(this.heads.get(day) ?? 0, event.seq));
    }
  }

  /** Every system audit chain touched since the baseline, re-computed from the table. */
  async verifySystemAudit(): Promise<void> {
    for (const day of this.days()) {
      const events = await this.eventsAfter(day, 0);
      const result = verifyAuditChain(events);
      if (!result.ok) throw new Error(`system audit chain of ${day} is broken: ${JSON.stringify(result)}`);
    }
  }

  /** The UTC days from the baseline to now: each has its own system audit chain. */
  private days(): string[] {
    const days: string[] = [];
    const today = new Date().toISOString().slice(0, 10);
    for (let t = this.since.getTime(); ; t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10);
      days.push(day);
      if (day >= today) return days;
    }
  }

  private async scanOutsideSystemAudit(): Promise<Map<string, string>> {
    const items = new Map<string, string>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.tableName,
          ConsistentRead: true,
          FilterExpression: "NOT begins_with(pk, :system)",
          ExpressionAttributeValues: { ":system": SYSTEM_AUDIT },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) items.set(`${item.pk} ${item.sk}`, canonicalJson(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  private async headSeq(day: string): Promise<number> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.systemAuditHead(day), ConsistentRead: true }),
    );
    return typeof Item?.seq === "number" ? Item.seq : 0;
  }

  private async eventsAfter(day: string, seq: number): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    let head: Item | undefined;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          // "HEAD" sorts after every "AUDIT#…" key, so this reads the new events and the head together.
          KeyConditionExpression: "pk = :pk AND sk > :after",
          ExpressionAttributeValues: {
            ":pk": keys.systemAuditPartition(day),
            ":after": keys.systemAudit(day, seq).sk,
          },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (item.sk === "HEAD") head = item;
        else {
          const { seq: s, at, type, actor, details, prevHash, hash } = item as AuditEvent;
          events.push({
            seq: s,
            at,
            type,
            actor,
            ...(details === undefined ? {} : { details }),
            prevHash,
            hash,
          });
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    // The head must point at the newest event: a write that moved one without the other is a fork.
    const newest = events.at(-1)?.seq ?? seq;
    if (Number(head?.seq ?? 0) !== newest)
      throw new Error(
        `system audit head of ${day} is at ${String(head?.seq)}, the newest event is ${newest}`,
      );
    return events;
  }
}
