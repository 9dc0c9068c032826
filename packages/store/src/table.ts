import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";

/**
 * One table for every record (DESIGN §4). Keys are overloaded by item type; every pattern is built in
 * keys.ts, beside the access pattern it serves. The item types:
 *
 * | item                   | pk                   | sk                 | gsi1 (pk / sk)                        | gsi2 (pk / sk)                        | gsi3 (pk / sk)                 |
 * |------------------------|----------------------|--------------------|---------------------------------------|---------------------------------------|--------------------------------|
 * | RemediationRequest     | RR#<id>              | RR                 | FP#<fp> / <createdAt>#<id>            | PHASE#<phase> / <updatedAt>#<id>      | RR / <createdAt>#<id>          |
 * | audit event (RR)       | RR#<id>              | AUDIT#<seq:10>     |                                       |                                       |                                |
 * | investigation evidence | RR#<id>              | EVIDENCE           |                                       |                                       |                                |
 * | EffectivenessAssessment| RR#<id>              | ASSESSMENT         |                                       |                                       | ASSESS#DUE / <dueAt>#<id> (sparse) |
 * | fingerprint state      | FP#<fp>              | STATE              |                                       |                                       |                                |
 * | hold (older items)     | FP#<fp>              | HOLD#<kind>        |                                       |                                       |                                |
 * | system audit head      | AUDIT#SYSTEM#<day>   | HEAD               |                                       |                                       |                                |
 * | system audit event     | AUDIT#SYSTEM#<day>   | AUDIT#<seq:10>     |                                       |                                       |                                |
 * | approval request (RAR) | RAR#<id>             | RAR                |                                       | RAR#<state> / <requiredBy>#<id>       | RAR#OUTBOX / <at>#<id> (sparse) |
 * | workflow record        | WF#<id>              | WF                 |                                       |                                       | WF / <id>                      |
 * | kill switch            | SYSTEM               | PAUSE              |                                       |                                       |                                |
 * | lease                  | LEASE#<target>       | LEASE              |                                       |                                       |                                |
 * | suggestion             | SUG#<id>             | SUG                |                                       |                                       | SUG / <createdAt>#<id>         |
 * | intake request         | INTAKE#<id>          | INTAKE             |                                       |                                       |                                |
 * | notification request   | NR#<id>              | NR                 |                                       |                                       |                                |
 * | notification delivery  | NR#<id>              | DELIVERY#<receiver>|                                       | DEADLETTER / <at>#<id>#<receiver> (sparse) |                           |
 * | circuit breaker        | BREAKER#<channel>    | BREAKER            |                                       |                                       | BREAKER / <channel>            |
 * | A2A task               | A2A#<taskId>         | TASK               | A2A#OWNER#<owner> / <createdAt>#<taskId> |                                    |                                |
 *
 * - Ingest reads `FP#<fp>` once (strongly consistent). The state item carries the active remediation,
 *   its phase, the occurrence count and every hold as a `hold_<kind>` attribute (`hold_dryRun`,
 *   `hold_manualReview`, …), which is what keeps a duplicate alert at one conditional update; `HOLD#<kind>`
 *   items are holds written before they moved onto the state item, honoured until they expire.
 * - `RR#<id>` holds the remediation and its audit chain, so one Query renders the timeline. The
 *   investigation's bulky evidence is its own `EVIDENCE` item, written once (the remediation is rewritten
 *   at every step and billed by its size each time); the assessment sits beside them.
 * - gsi1 answers "history of this fingerprint" (GET /remediations?fingerprint=), and A2A ListTasks:
 *   a token's tasks, newest first.
 * - gsi2 answers "remediations in this phase, newest first" (filters, start-up reconciliation),
 *   "approval requests pending, soonest deadline first" (and decided ones by decision), and "dead
 *   letters, newest first".
 * - gsi3 holds small fixed partitions read whole: every remediation newest first (one partition is
 *   fine: written once per remediation, not per alert), the workflow records, the suggestions, the
 *   assessments due (sparse: a completed one leaves), the approval outbox (sparse: a delivered decision
 *   leaves) and the breakers.
 * - `expiresAt` (epoch seconds) is the TTL attribute: terminal RRs after the retention period, holds,
 *   leases, approvals, notifications, A2A tasks. TTL deletion is lazy, so every read treats
 *   `expiresAt <= now` as absent.
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
