import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { canonicalJson, type TrustLevel } from "@kubernaut/core";
import type { TransactItem } from "./client";
import { isConditionalCheckFailed } from "./errors";
import { indexes, keys } from "./keys";

/** Per-workflow statistics: what the graduation report and analysis read. */
export interface WorkflowStats {
  remediations: number;
  assessed: number;
  full: number;
  scoreSum: number;
  approvals: number;
  rejections: number;
  /** Approvals since the last rejection. */
  approvalsInRow: number;
  lastFailureAt?: string;
  lastFailureReason?: string;
}

/** A catalog workflow's record: its trust level (optionally per namespace) and statistics. */
export interface WorkflowRecord {
  workflowId: string;
  level: TrustLevel;
  namespaces: Record<string, TrustLevel>;
  registeredAt: string;
  changedBy?: string;
  changedAt?: string;
  reason?: string;
  stats: WorkflowStats;
  /** For workflows registered at runtime (from a suggestion): the definition, validated by the reader. */
  definition?: Record<string, unknown>;
  suggestionId?: string;
  /**
   * The workflow version the level was given to. A new version starts over at `observe` (or where
   * its author says): trust earned by one version's steps is not trust in another's.
   */
  version?: string;
  /** The version this one replaced, when the level was reset for it. */
  previousVersion?: string;
}

/** What one event adds to a workflow's statistics. */
export type StatsDelta = Partial<
  Record<"remediations" | "assessed" | "full" | "scoreSum" | "approvals" | "rejections", number>
>;

/** The statistics that are set, not added: the approval streak and the last failure. */
export interface StatsExtra {
  approvalsInRow?: "increment" | "reset";
  failure?: { at: string; reason: string };
}

export const EMPTY_STATS: WorkflowStats = {
  remediations: 0,
  assessed: 0,
  full: 0,
  scoreSum: 0,
  approvals: 0,
  rejections: 0,
  approvalsInRow: 0,
};
const key = keys.workflow;
const PAUSE = keys.pause();

/**
 * Workflow trust (DESIGN §1, Level 2) and the kill switch. A workflow is registered the first time it
 * is looked up: at `observe` when `newWorkflowsDryRun` is on, so a new workflow runs dry until someone
 * graduates it.
 */
export class TrustStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(workflowId: string, registerAs: TrustLevel): Promise<WorkflowRecord> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key(workflowId), ConsistentRead: true }),
    );
    if (Item) return toRecord(Item);
    const record: WorkflowRecord = {
      workflowId,
      level: registerAs,
      namespaces: {},
      registeredAt: new Date().toISOString(),
      stats: { ...EMPTY_STATS },
    };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key(workflowId), ...record, ...indexes.workflowInAll(workflowId) },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return record;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      return this.get(workflowId, registerAs);
    }
  }

  /**
   * The record of `version` of a workflow, registering it at `startAs` on first sight. A record whose
   * level was given to another version is put back at `startAs` for this one, in one conditional update
   * (concurrent readers reset it once); a record from before versions were tracked only learns its
   * version. The reset is recorded on the record (changedBy `catalog`, the reason naming both versions).
   */
  async getVersion(
    workflowId: string,
    version: string,
    startAs: TrustLevel,
    at: Date = new Date(),
  ): Promise<WorkflowRecord> {
    for (let attempt = 0; ; attempt++) {
      const record = await this.get(workflowId, startAs);
      if (record.version === version) return record;
      const known = record.version;
      const reset = known !== undefined;
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key(workflowId),
            UpdateExpression: reset
              ? "SET #version = :v, previousVersion = :old, #level = :start, namespaces = :none, changedBy = :by, changedAt = :at, #reason = :reason"
              : "SET #version = :v",
            ConditionExpression: reset ? "#version = :old" : "attribute_not_exists(#version)",
            ExpressionAttributeNames: reset
              ? { "#version": "version", "#level": "level", "#reason": "reason" }
              : { "#version": "version" },
            ExpressionAttributeValues: reset
              ? {
                  ":v": version,
                  ":old": known,
                  ":start": startAs,
                  ":none": {},
                  ":by": "catalog",
                  ":at": at.toISOString(),
                  ":reason": `version ${version} replaces ${known}: a new version starts at ${startAs}`,
                }
              : { ":v": version },
          }),
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error) || attempt > 2) throw error;
      }
    }
  }

  /**
   * Registers (or replaces) a workflow defined through the API: its definition on its record. A new
   * version replaces the old one and starts at `startAs`; the same version again is accepted only with
   * the same definition (`unchanged`), so a version always names one set of steps.
   */
  async registerDefinition(
    definition: { id: string; version: string } & Record<string, unknown>,
    startAs: TrustLevel,
    change: { actor: string; at: Date; reason: string },
  ): Promise<{ status: "registered" | "unchanged" | "conflict"; record: WorkflowRecord }> {
    const record = await this.get(definition.id, startAs);
    if (record.version === definition.version && record.definition) {
      // Canonical: DynamoDB hands maps back in its own key order.
      const same = canonicalJson(record.definition) === canonicalJson(definition);
      return { status: same ? "unchanged" : "conflict", record };
    }
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(definition.id),
          UpdateExpression:
            "SET #definition = :def, #version = :v, #level = :start, namespaces = :none, changedBy = :by, changedAt = :at, #reason = :reason" +
            (record.version ? ", previousVersion = :old" : ""),
          ConditionExpression: record.version
            ? "#version = :old"
            : "attribute_not_exists(#version) OR attribute_not_exists(#definition)",
          // `definition` is one of DynamoDB's reserved words, so every attribute goes by a placeholder.
          ExpressionAttributeNames: {
            "#definition": "definition",
            "#version": "version",
            "#level": "level",
            "#reason": "reason",
          },
          ExpressionAttributeValues: {
            ":def": definition,
            ":v": definition.version,
            ":start": startAs,
            ":none": {},
            ":by": change.actor,
            ":at": change.at.toISOString(),
            ":reason": change.reason,
            ...(record.version ? { ":old": record.version } : {}),
          },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      // Someone registered meanwhile: answer from what is there now.
      return this.registerDefinition(definition, startAs, change);
    }
    return { status: "registered", record: await this.get(definition.id, startAs) };
  }

  async all(): Promise<WorkflowRecord[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: "gsi3",
        KeyConditionExpression: "gsi3pk = :wf",
        ExpressionAttributeValues: { ":wf": indexes.WORKFLOWS },
      }),
    );
    return Items.map(toRecord);
  }

  /** One registered workflow's definition, by key (not validated here: the reader parses it). */
  async definitionOf(workflowId: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: key(workflowId), ConsistentRead: true }),
    );
    return Item ? toRecord(Item).definition : undefined;
  }

  /** The definitions of workflows registered at runtime (not validated here: the reader parses them). */
  async registered(): Promise<Array<Record<string, unknown>>> {
    return (await this.all()).flatMap((record) => (record.definition ? [record.definition] : []));
  }

  /**
   * Graduates or demotes (the whole workflow, or only some namespaces) in one conditional update that
   * touches only the level fields: statistics counted meanwhile by the pipeline or the effectiveness
   * monitor are never overwritten (a read-then-put of the whole record would erase them). Returns the
   * record as it was and as it is, both from this one atomic write, for the audit.
   */
  async setLevel(
    workflowId: string,
    change: { level: TrustLevel; namespaces?: string[]; actor: string; reason: string; at: Date },
    registerAs: TrustLevel,
  ): Promise<{ before: WorkflowRecord; after: WorkflowRecord }> {
    const names: Record<string, string> = { "#reason": "reason" };
    const values: Record<string, unknown> = {
      ":level": change.level,
      ":by": change.actor,
      ":at": change.at.toISOString(),
      ":reason": change.reason,
    };
    const sets = ["changedBy = :by", "changedAt = :at", "#reason = :reason"];
    if (change.namespaces?.length) {
      change.namespaces.forEach((namespace, i) => {
        names[`#ns${i}`] = namespace;
        sets.push(`namespaces.#ns${i} = :level`);
      });
    } else {
      names["#level"] = "level";
      sets.push("#level = :level", "namespaces = :none");
      values[":none"] = {};
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const { Attributes } = await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key(workflowId),
            UpdateExpression: `SET ${sets.join(", ")}`,
            // Registered records always carry a namespaces map, so a namespace path can be set.
            ConditionExpression: "attribute_exists(pk)",
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: "ALL_OLD",
          }),
        );
        const before = toRecord(Attributes ?? {});
        return { before, after: applyLevelChange(before, change) };
      } catch (error) {
        if (!isConditionalCheckFailed(error) || attempt > 0) throw error;
        await this.get(workflowId, registerAs);
      }
    }
  }

  /**
   * Adds to the statistics atomically (several assessments may land at once). A workflow that was never
   * registered (an operator's override picked it, or its record was removed) is registered at
   * `registerAs` — the conservative `observe` unless the caller knows the configured start level — and
   * counted, rather than failing the remediation that is being counted.
   */
  async count(
    workflowId: string,
    delta: StatsDelta,
    extra: StatsExtra & { registerAs?: TrustLevel } = {},
  ): Promise<void> {
    const item = this.countItem(workflowId, delta, extra);
    if (!item?.Update) return;
    const update = new UpdateCommand(item.Update);
    try {
      await this.db.send(update);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      await this.get(workflowId, extra.registerAs ?? "observe");
      await this.db.send(update);
    }
  }

  /**
   * The same count as one item of another store's transaction (the effectiveness monitor writes it with
   * the remediation's completion, issue 22); undefined when there is nothing to count. Its condition
   * fails on a workflow that has no record: the nested statistics cannot be added to a missing map, and
   * an item cannot be registered in the same write. That caller writes the rest without it and counts
   * with `count`, which registers the workflow first.
   */
  countItem(workflowId: string, delta: StatsDelta, extra: StatsExtra = {}): TransactItem | undefined {
    const adds = Object.entries(delta).filter(([, v]) => v !== undefined && v !== 0);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const addParts = adds.map(([k, v], i) => {
      names[`#s${i}`] = k;
      values[`:s${i}`] = v;
      return `stats.#s${i} :s${i}`;
    });
    const sets: string[] = [];
    if (extra.approvalsInRow === "increment") addParts.push("stats.approvalsInRow :one");
    if (extra.approvalsInRow === "increment") values[":one"] = 1;
    if (extra.approvalsInRow === "reset") sets.push("stats.approvalsInRow = :zero");
    if (extra.approvalsInRow === "reset") values[":zero"] = 0;
    if (extra.failure) {
      sets.push("stats.lastFailureAt = :fat", "stats.lastFailureReason = :freason");
      values[":fat"] = extra.failure.at;
      values[":freason"] = extra.failure.reason;
    }
    if (addParts.length === 0 && sets.length === 0) return undefined;
    return {
      Update: {
        TableName: this.tableName,
        Key: key(workflowId),
        UpdateExpression: [
          sets.length ? `SET ${sets.join(", ")}` : "",
          addParts.length ? `ADD ${addParts.join(", ")}` : "",
        ]
          .filter(Boolean)
          .join(" "),
        // The nested stats paths exist only on a registered record; an update on a missing item would
        // create one without a level or a stats map.
        ConditionExpression: "attribute_exists(pk)",
        ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
      },
    };
  }

  async paused(): Promise<{ paused: boolean; by?: string; at?: string; reason?: string }> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: PAUSE, ConsistentRead: true }),
    );
    return Item?.paused ? { paused: true, by: Item.by, at: Item.at, reason: Item.reason } : { paused: false };
  }

  async setPaused(paused: boolean, actor: string, reason: string, at: Date): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...PAUSE, paused, by: actor, reason, at: at.toISOString() },
      }),
    );
  }
}

function toRecord(item: Record<string, unknown>): WorkflowRecord {
  const {
    workflowId,
    level,
    namespaces,
    registeredAt,
    changedBy,
    changedAt,
    reason,
    stats,
    definition,
    suggestionId,
    version,
    previousVersion,
  } = item as unknown as WorkflowRecord;
  return {
    workflowId,
    level,
    namespaces: namespaces ?? {},
    registeredAt,
    ...(changedBy ? { changedBy } : {}),
    ...(changedAt ? { changedAt } : {}),
    ...(reason ? { reason } : {}),
    stats: { ...EMPTY_STATS, ...stats },
    ...(definition ? { definition } : {}),
    ...(suggestionId ? { suggestionId } : {}),
    ...(version ? { version } : {}),
    ...(previousVersion ? { previousVersion } : {}),
  };
}

/** A record after a level change: what the conditional update in `setLevel` wrote. */
function applyLevelChange(
  record: WorkflowRecord,
  change: { level: TrustLevel; namespaces?: string[]; actor: string; reason: string; at: Date },
): WorkflowRecord {
  const levels = change.namespaces?.length
    ? {
        level: record.level,
        namespaces: {
          ...record.namespaces,
          ...Object.fromEntries(change.namespaces.map((ns) => [ns, change.level])),
        },
      }
    : { level: change.level, namespaces: {} };
  return {
    ...record,
    ...levels,
    changedBy: change.actor,
    changedAt: change.at.toISOString(),
    reason: change.reason,
  };
}
