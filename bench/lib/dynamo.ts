import { randomBytes } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { createDynamoClient, documentClient, ensureTable } from "@kubernaut/store";
import { elapsedMs, percentile } from "./stats";

export const REGION = "us-east-1";

export function uniqueTableName(prefix: string): string {
  return `bench-${prefix}-${randomBytes(4).toString("hex")}`;
}

/** A fresh table on the shared DynamoDB Local, with the product's own client settings. */
export async function freshTable(endpoint: string, tableName: string) {
  const client = createDynamoClient({ region: REGION, endpoint });
  await ensureTable(client, tableName);
  return { client, db: documentClient(client), tableName };
}

/** Request units and calls, by operation: what DynamoDB on-demand bills. */
export interface Capacity {
  readUnits: number;
  writeUnits: number;
  calls: Record<string, number>;
  /** Conditional writes that lost (charged by AWS too; DynamoDB Local reports no units for them). */
  failedWrites: number;
}

const READS = new Set(["GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"]);
const WRITES = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"]);

export function emptyCapacity(): Capacity {
  return { readUnits: 0, writeUnits: 0, calls: {}, failedWrites: 0 };
}

export function diffCapacity(after: Capacity, before: Capacity): Capacity {
  const calls: Record<string, number> = {};
  for (const [op, n] of Object.entries(after.calls)) {
    const d = n - (before.calls[op] ?? 0);
    if (d) calls[op] = d;
  }
  return {
    readUnits: after.readUnits - before.readUnits,
    writeUnits: after.writeUnits - before.writeUnits,
    calls,
    failedWrites: after.failedWrites - before.failedWrites,
  };
}

export function addCapacity(a: Capacity, b: Capacity): Capacity {
  const calls: Record<string, number> = { ...a.calls };
  for (const [op, n] of Object.entries(b.calls)) calls[op] = (calls[op] ?? 0) + n;
  return {
    readUnits: a.readUnits + b.readUnits,
    writeUnits: a.writeUnits + b.writeUnits,
    calls,
    failedWrites: a.failedWrites + b.failedWrites,
  };
}

export function snapshot(capacity: Capacity): Capacity {
  return { ...capacity, calls: { ...capacity.calls } };
}

type Units = { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> | undefined;

/**
 * Counts every data-plane call of a client and the request units DynamoDB says it consumed. It asks
 * for `ReturnConsumedCapacity: TOTAL` (DynamoDB Local answers with AWS's accounting: transactions
 * count double, index writes count), which changes nothing else about the call.
 */
export function meterCapacity(client: DynamoDBClient): Capacity {
  const capacity = emptyCapacity();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const op = (context.commandName ?? "").replace(/Command$/, "");
      const metered = READS.has(op) || WRITES.has(op);
      const input = args.input as {
        ReturnConsumedCapacity?: string;
        ConsistentRead?: boolean;
        TransactItems?: unknown[];
      };
      if (metered) input.ReturnConsumedCapacity ??= "TOTAL";
      try {
        const result = await next(args);
        if (metered) {
          capacity.calls[op] = (capacity.calls[op] ?? 0) + 1;
          const consumed = (result.output as { ConsumedCapacity?: Units }).ConsumedCapacity;
          const reported = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce(
            (sum, c) => sum + (c.CapacityUnits ?? 0),
            0,
          );
          // DynamoDB Local reports 0 for a read that finds nothing; AWS bills such a read its minimum.
          if (READS.has(op)) capacity.readUnits += Math.max(reported, input.ConsistentRead ? 1 : 0.5);
          else capacity.writeUnits += reported;
        }
        return result;
      } catch (error) {
        if (metered && WRITES.has(op)) {
          // A failed condition still costs a write on AWS: one unit per item it touched (2 in a transaction).
          capacity.calls[op] = (capacity.calls[op] ?? 0) + 1;
          capacity.failedWrites++;
          const items = input.TransactItems?.length;
          capacity.writeUnits += items ? 2 * items : 1;
        }
        throw error;
      }
    },
    { step: "initialize", name: "benchCapacityMeter" },
  );
  return capacity;
}

/**
 * The reference every ingest figure is held against: one conditional PutItem through the same SDK
 * client settings, an item of a fingerprint state's size, on a key never written before.
 */
export function conditionalPut(db: DynamoDBDocumentClient, tableName: string) {
  let n = 0;
  const prefix = randomBytes(4).toString("hex");
  return async () => {
    n++;
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: `FP#ref-${prefix}-${n}`,
          sk: "STATE",
          lastSeenAt: new Date().toISOString(),
          occurrenceCount: 1,
        },
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
  };
}

/** Runs `total` calls with `concurrency` workers; per-call latency and the overall rate. */
export async function runConcurrently(
  total: number,
  concurrency: number,
  call: (index: number) => Promise<void>,
): Promise<{ perSecond: number; p50: number; p99: number; latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const start = process.hrtime.bigint();
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= total) return;
      const t = process.hrtime.bigint();
      await call(index);
      latencies.push(elapsedMs(t));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = elapsedMs(start) / 1000;
  return {
    perSecond: total / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    latencies,
    seconds,
  };
}
