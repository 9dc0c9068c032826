import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";

/**
 * One table for every record (DESIGN §4). Keys are overloaded by item type; the access patterns:
 *
 * | item                 | pk                     | sk              | gsi1 (pk / sk)              | gsi2 (pk / sk)              | gsi3 (pk / sk)      |
 * |----------------------|------------------------|-----------------|-----------------------------|-----------------------------|---------------------|
 * | RemediationRequest   | RR#<id>                | RR              | FP#<fp> / <createdAt>#<id>  | PHASE#<phase> / <updatedAt>#<id> | RR / <createdAt>#<id> |
 * | audit event (RR)     | RR#<id>                | AUDIT#<seq:10>  |                             |                             |                     |
 * | fingerprint state    | FP#<fp>                | STATE           |                             |                             |                     |
 * | hold                 | FP#<fp>                | HOLD#<kind>     |                             |                             |                     |
 * | system audit head    | AUDIT#SYSTEM#<day>     | HEAD            |                             |                             |                     |
 * | system audit event   | AUDIT#SYSTEM#<day>     | AUDIT#<seq:10>  |                             |                             |                     |
 * | intake request       | INTAKE#<id>            | INTAKE          |                             |                             |                     |
 * | A2A task             | A2A#<taskId>           | TASK            | A2A#OWNER#<owner> / <createdAt>#<taskId> |                |                     |
 *
 * - Ingest reads `FP#<fp>` once (strongly consistent): the fingerprint state and every hold come back
 *   in one Query, which is what keeps a duplicate alert at two calls.
 * - `RR#<id>` holds the remediation and its audit chain, so one Query renders the timeline.
 * - gsi1 answers "history of this fingerprint" (GET /remediations?fingerprint=), and A2A ListTasks:
 *   a token's tasks, newest first.
 * - gsi2 answers "remediations in this phase, newest first" (filters, start-up reconciliation).
 * - gsi3 answers "all remediations, newest first". One partition is fine: it is written once per
 *   remediation, not per alert, and a storm of duplicates never touches it.
 * - `expiresAt` (epoch seconds) is the TTL attribute: terminal RRs after the retention period, holds,
 *   leases. TTL deletion is lazy, so every read treats `expiresAt <= now` as absent.
 */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  const index = (n: 1 | 2 | 3) => ({
    IndexName: `gsi${n}`,
    KeySchema: [
      { AttributeName: `gsi${n}pk`, KeyType: "HASH" as const },
      { AttributeName: `gsi${n}sk`, KeyType: "RANGE" as const },
    ],
    Projection: { ProjectionType: "ALL" as const },
  });
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
    AttributeDefinitions: ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk"].map(
      (name) => ({
        AttributeName: name,
        AttributeType: "S" as const,
      }),
    ),
    GlobalSecondaryIndexes: [index(1), index(2), index(3)],
  };
}

export const TTL_ATTRIBUTE = "expiresAt";

/** Creates the table when missing (the local loop and tests; on AWS the SST stack owns it). */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  try {
    await client.send(new CreateTableCommand(tableDefinition(tableName)));
  } catch (error) {
    // Two processes starting at once: the loser sees the table in use, which is what it wanted.
    if (!(error instanceof Error && error.name === "ResourceInUseException")) throw error;
  }
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    }),
  );
}
