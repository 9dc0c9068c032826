import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import {
  type Actor,
  type AuditEvent,
  type AuditEventBody,
  canTransition,
  chainAuditEvent,
  type FingerprintView,
  GENESIS_HASH,
  HOLD_KINDS,
  type Hold,
  type HoldKind,
  isTerminal,
  type Outcome,
  PHASES,
  type Phase,
  RemediationRequest,
} from "@kubernaut/core";
import type { TransactItem } from "./client";
import {
  AlongsideConditionFailedError,
  ConcurrentUpdateError,
  isCancelledByCondition,
  isConditionalCheckFailed,
} from "./errors";
import { AUDIT_PREFIX, addDays, epochSeconds, HOLD_PREFIX, holdAttribute, indexes, keys } from "./keys";

export interface StoreOptions {
  tableName: string;
  /** Terminal remediations and their records expire after this many days (DESIGN §4: 90). */
  remediationRetentionDays: number;
  /** Audit events are kept longer (DESIGN §4: a year). */
  auditRetentionDays: number;
}

export interface FingerprintRecord extends FingerprintView {
  fingerprint: string;
  occurrenceCount: number;
}

export interface RemediationListFilter {
  phase?: Phase;
  outcome?: Outcome;
  fingerprint?: string;
  namespace?: string;
  limit: number;
  cursor?: string;
}

export interface PhaseChange {
  to: Phase;
  /**
   * Narrows PHASE_TRANSITIONS when the caller decided from a phase it read (enrichment ends only a
   * Pending remediation): anything else is a lost race or a replay. The table always applies.
   */
  from?: readonly Phase[];
  /**
   * For tests and fixtures that put a remediation straight into a phase (Pending → Completed): the
   * table is not consulted, `from` alone is. The pipeline, the API and the monitor never set it.
   */
  seed?: true;
  outcome?: Outcome;
  reason?: string;
  failurePhase?: string;
  /** Other attributes written in the same transaction (the result of the step that caused the change). */
  set?: Record<string, unknown>;
  /** The audit event's type; defaults to PhaseChanged. */
  event?: string;
}

/** A remediation as stored, with its audit sequence and head: what a conditional write starts from. */
export type VersionedRemediation = RemediationRequest & { auditSeq?: number; auditHead?: string };

export interface TransitionOptions {
  /**
   * The remediation as the caller just read it (getVersioned): the first attempt starts from it instead
   * of reading it again; only a lost race re-reads.
   */
  current?: VersionedRemediation;
  /**
   * Other items written in the same transaction, with their own conditions. If one of those fails,
   * nothing is written and AlongsideConditionFailedError names it; it is not retried.
   */
  alongside?: readonly TransactItem[];
}

const MAX_ATTEMPTS = 5;

/**
 * RemediationRequests, their fingerprint state, holds and audit chains. Every write that changes more
 * than one of them is one transaction, so a crash can never leave a remediation without its audit event
 * or a fingerprint pointing at a remediation that does not exist.
 */
export class RemediationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly options: StoreOptions,
  ) {}

  get tableName(): string {
    return this.options.tableName;
  }

  /** One strongly consistent Query: the fingerprint state and every hold item. */
  /**
   * The storm's common case in one call (issue 22): a redelivered alert whose fingerprint has a started,
   * non-terminal remediation — or no such remediation but a hold in force — counts its occurrence in one
   * conditional UpdateItem that returns the state. Anything else (no remediation, a stranded Pending one,
   * holds written before they moved onto the state item) fails the condition, writes nothing, and the
   * caller takes the read-decide-write path. The condition is decideDedup's, written for DynamoDB.
   */
  async absorbDuplicate(fingerprint: string, now: Date): Promise<FingerprintRecord | undefined> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const started = PHASES.filter((phase) => !isTerminal(phase) && phase !== "Pending");
    const values: Record<string, unknown> = {
      ":at": now.toISOString(),
      ":one": 1,
      ":pending": "Pending",
      ":now": nowSeconds,
    };
    started.forEach((phase, i) => {
      values[`:s${i}`] = phase;
    });
    const terminal = PHASES.filter(isTerminal);
    terminal.forEach((phase, i) => {
      values[`:t${i}`] = phase;
    });
    const names: Record<string, string> = {};
    const holdClauses = HOLD_KINDS.map((kind, i) => {
      names[`#h${i}`] = holdAttribute(kind);
      return `#h${i}.expiresAt > :now`;
    });
    const condition = [
      `activePhase IN (${started.map((_, i) => `:s${i}`).join(", ")})`,
      "(activePhase = :pending AND attribute_exists(activeExecutionStartedAt))",
      `((attribute_not_exists(activePhase) OR activePhase IN (${terminal.map((_, i) => `:t${i}`).join(", ")})) AND (${holdClauses.join(" OR ")}))`,
    ].join(" OR ");
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.fingerprintState(fingerprint),
          UpdateExpression: "SET lastSeenAt = :at ADD occurrenceCount :one",
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
        }),
      );
      return Attributes ? toFingerprintRecord(fingerprint, Attributes, []) : undefined;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  async readFingerprint(fingerprint: string): Promise<FingerprintRecord> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": keys.fingerprintPartition(fingerprint) },
        ConsistentRead: true,
      }),
    );
    const state = Items.find((item) => item.sk === "STATE") ?? {};
    // Holds written before they moved onto the state item are separate items; both count.
    const legacy = Items.filter((item) => String(item.sk).startsWith(HOLD_PREFIX)).map(toHold);
    return toFingerprintRecord(fingerprint, state, legacy);
  }

  /**
   * Creates the remediation and makes it the fingerprint's active one, in one transaction conditioned on
   * the fingerprint still pointing where the caller saw it. Of N concurrent deliveries exactly one wins;
   * the rest get "conflict", re-read, and find the winner.
   */
  async createRemediation(
    rr: RemediationRequest,
    previousActiveId: string | undefined,
    actor: Actor,
  ): Promise<"created" | "conflict"> {
    const created = chainAuditEvent(
      {
        type: "RemediationCreated",
        at: rr.createdAt,
        actor,
        details: { fingerprint: rr.fingerprint, target: rr.targetResource, alertName: rr.signal.alertName },
      },
      1,
      GENESIS_HASH,
    );
    const condition = previousActiveId
      ? "activeRemediationId = :previous"
      : "attribute_not_exists(activeRemediationId)";
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: this.remediationItem(rr, 1, created.hash),
                ConditionExpression: "attribute_not_exists(pk)",
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: keys.fingerprintState(rr.fingerprint),
                UpdateExpression:
                  "SET activeRemediationId = :id, activePhase = :phase, activeCreatedAt = :at, lastSeenAt = :at " +
                  "REMOVE activeExecutionStartedAt ADD occurrenceCount :one",
                ConditionExpression: condition,
                ExpressionAttributeValues: {
                  ":id": rr.id,
                  ":phase": rr.phase,
                  ":at": rr.createdAt,
                  ":one": 1,
                  ...(previousActiveId ? { ":previous": previousActiveId } : {}),
                },
              },
            },
            { Put: { TableName: this.tableName, Item: this.auditItem(rr.id, created) } },
          ],
        }),
      );
      return "created";
    } catch (error) {
      if (isLostRace(error)) return "conflict";
      throw error;
    }
  }

  /** Counts a suppressed signal against its fingerprint (a dedup hit, or one that met a hold). */
  async recordOccurrence(fingerprint: string, at: Date): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.fingerprintState(fingerprint),
        UpdateExpression: "SET lastSeenAt = :at ADD occurrenceCount :one",
        ExpressionAttributeValues: { ":at": at.toISOString(), ":one": 1 },
      }),
    );
  }

  async get(id: string): Promise<RemediationRequest | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.remediation(id), ConsistentRead: true }),
    );
    return Item ? toRemediation(Item) : undefined;
  }

  /** The remediation and its whole audit chain, in one Query of its partition. */
  async timeline(id: string): Promise<{ remediation: RemediationRequest; audit: AuditEvent[] } | undefined> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": keys.remediation(id).pk },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const head = items.find((item) => item.sk === keys.remediation(id).sk);
    if (!head) return undefined;
    const audit = items.filter((item) => String(item.sk).startsWith(AUDIT_PREFIX)).map(toAuditEvent);
    const remediation = toRemediation(head);
    // The investigation's full evidence lives in its own item; whoever reads a remediation whole (the
    // API's detail, the console's page) sees it where it always was.
    const evidence = items.find((item) => item.sk === "EVIDENCE")?.evidence as
      | Record<string, unknown>
      | undefined;
    if (evidence && remediation.analysis)
      remediation.analysis = {
        ...remediation.analysis,
        evidence: { ...evidence, ...remediation.analysis.evidence },
      };
    return { remediation, audit };
  }

  /**
   * Writes the investigation's evidence (pods, events, logs, rollout history …) once, beside the
   * remediation instead of on it (issue 22): the remediation item stays about a kilobyte, so each of its
   * many later writes — and their copies in three indexes — is billed for a kilobyte, not for the
   * evidence again. Idempotent: a retried analysis writes the same item.
   */
  async putEvidence(id: string, evidence: Record<string, unknown>, now = new Date()): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.remediationEvidence(id),
          evidence,
          // Kept as long as a finished remediation; TTL removes both.
          expiresAt: epochSeconds(addDays(now, this.options.remediationRetentionDays + 30)),
        },
      }),
    );
  }

  /** The evidence an analysis stored for a remediation, if any. */
  async evidence(id: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.remediationEvidence(id) }),
    );
    return Item?.evidence as Record<string, unknown> | undefined;
  }

  async list(filter: RemediationListFilter): Promise<{ items: RemediationRequest[]; cursor?: string }> {
    const base: QueryCommandInput = filter.phase
      ? index("gsi2", indexes.remediationsInPhasePartition(filter.phase))
      : filter.fingerprint
        ? index("gsi1", keys.fingerprintPartition(filter.fingerprint))
        : index("gsi3", indexes.ALL_REMEDIATIONS);
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ...base.ExpressionAttributeValues };
    if (filter.outcome) {
      filters.push("#outcome = :outcome");
      names["#outcome"] = "outcome";
      values[":outcome"] = filter.outcome;
    }
    if (filter.namespace) {
      filters.push("targetResource.#ns = :ns");
      names["#ns"] = "namespace";
      values[":ns"] = filter.namespace;
    }
    if (filter.fingerprint && filter.phase) {
      filters.push("fingerprint = :fp");
      values[":fp"] = filter.fingerprint;
    }

    const items: RemediationRequest[] = [];
    let startKey = filter.cursor
      ? decodeCursor(filter.cursor, base.IndexName as string, values[":ipk"] as string)
      : undefined;
    // A filter applies after DynamoDB's Limit, so keep reading until the page is full or the index ends.
    do {
      const page = await this.db.send(
        new QueryCommand({
          ...base,
          TableName: this.tableName,
          ScanIndexForward: false,
          Limit: filter.limit - items.length,
          ExclusiveStartKey: startKey,
          ExpressionAttributeValues: values,
          ...(filters.length > 0
            ? { FilterExpression: filters.join(" AND "), ExpressionAttributeNames: names }
            : {}),
        }),
      );
      items.push(...(page.Items ?? []).map(toRemediation));
      startKey = page.LastEvaluatedKey;
    } while (startKey && items.length < filter.limit);
    return startKey ? { items, cursor: encodeCursor(startKey) } : { items };
  }

  /**
   * Marks on the fingerprint that the remediation's execution exists, so redeliveries stop starting it.
   * Deliberately not an audit event: the execution's first task records that, in order, whereas this
   * write races the execution. A lost condition (the remediation is no longer active) changes nothing.
   */
  async markExecutionStarted(rr: RemediationRequest, at: Date): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.fingerprintState(rr.fingerprint),
          UpdateExpression: "SET activeExecutionStartedAt = :at REMOVE activeStartFailedAt",
          ConditionExpression: "activeRemediationId = :id",
          ExpressionAttributeValues: { ":at": at.toISOString(), ":id": rr.id },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  /**
   * Best effort after a failed StartExecution: tells the next delivery to start the execution again at
   * once instead of waiting out the grace period. If this write fails too, the grace period still covers it.
   */
  async markStartFailed(rr: RemediationRequest, at: Date): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.fingerprintState(rr.fingerprint),
        UpdateExpression: "SET activeStartFailedAt = :at",
        ConditionExpression: "activeRemediationId = :id",
        ExpressionAttributeValues: { ":at": at.toISOString(), ":id": rr.id },
      }),
    );
  }

  /** A `resolved` alert: the fast signal the effectiveness monitor uses. Only the first one is kept. */
  async markSignalResolved(id: string, at: Date, actor: Actor): Promise<boolean> {
    const rr = await this.get(id);
    if (!rr || rr.signalResolvedAt) return false;
    await this.appendAudit(
      id,
      { type: "SignalResolved", at: at.toISOString(), actor },
      { set: { signalResolvedAt: at.toISOString() }, precondition: (current) => !current.signalResolvedAt },
    );
    return true;
  }

  /**
   * Moves a remediation to another phase, keeping the fingerprint's copy of the phase in step (ingest
   * dedups from it) and appending the audit event, all in one transaction. Only the moves
   * PHASE_TRANSITIONS allows are made; any other is refused as a lost race (ConcurrentUpdateError).
   */
  async transition(
    id: string,
    change: PhaseChange,
    actor: Actor,
    details?: Record<string, unknown>,
    options: TransitionOptions = {},
  ): Promise<RemediationRequest> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const rr = attempt === 0 && options.current?.id === id ? options.current : await this.getVersioned(id);
      if (!rr) throw new Error(`remediation ${id} does not exist`);
      if (change.from && !change.from.includes(rr.phase)) {
        throw new ConcurrentUpdateError(`remediation ${id} is ${rr.phase}, not ${change.from.join("/")}`);
      }
      if (!change.seed && !canTransition(rr.phase, change.to)) {
        // A lost race or a replay as far as the caller can tell: the remediation moved on meanwhile.
        throw new ConcurrentUpdateError(`remediation ${id} is ${rr.phase}: it may not move to ${change.to}`);
      }
      const now = new Date();
      const set: Record<string, unknown> = {
        ...change.set,
        phase: change.to,
        updatedAt: now.toISOString(),
        ...indexes.remediationInPhase(change.to, now.toISOString(), id),
        outcome: change.outcome,
        reason: change.reason,
        failurePhase: change.failurePhase,
      };
      if (isTerminal(change.to)) {
        set.completedAt = now.toISOString();
        set.expiresAt = epochSeconds(addDays(now, this.options.remediationRetentionDays));
      }
      const committed = await this.tryAppendAudit(
        rr,
        {
          type: change.event ?? "PhaseChanged",
          at: now.toISOString(),
          actor,
          details: {
            from: rr.phase,
            to: change.to,
            outcome: change.outcome,
            reason: change.reason,
            ...details,
          },
        },
        {
          set: definedOnly(set),
          fingerprint: { fingerprint: rr.fingerprint, set: { activePhase: change.to }, ifActive: id },
          ...(options.alongside ? { alongside: options.alongside } : {}),
        },
      );
      if (committed) return toRemediation({ ...rr, ...definedOnly(set) });
    }
    throw new ConcurrentUpdateError(
      `remediation ${id} kept changing; gave up after ${MAX_ATTEMPTS} attempts`,
    );
  }

  /** Appends an event to the remediation's hash chain; retried when another writer took the sequence. */
  async appendAudit(id: string, body: AuditEventBody, extra: AuditExtra = {}): Promise<AuditEvent> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const rr = await this.getVersioned(id);
      if (!rr) throw new Error(`remediation ${id} does not exist`);
      if (extra.precondition && !extra.precondition(rr)) {
        throw new ConcurrentUpdateError(`remediation ${id} changed: the update no longer applies`);
      }
      const event = await this.tryAppendAudit(rr, body, extra);
      if (event) return event;
    }
    throw new ConcurrentUpdateError(
      `audit chain of ${id} kept moving; gave up after ${MAX_ATTEMPTS} attempts`,
    );
  }

  /**
   * Moves a remediation to the target its owner chain proved (DESIGN §3.1), in one transaction: the
   * remediation's target and fingerprint, the audit event, the verified fingerprint now pointing at it
   * (only if it still points where the caller saw), the inferred one released. "conflict" means the
   * verified fingerprint moved meanwhile: the caller merges instead.
   */
  async retarget(
    rr: RemediationRequest & { auditSeq?: number; auditHead?: string },
    verified: {
      target: RemediationRequest["targetResource"];
      fingerprint: string;
      previousActiveId: string | undefined;
    },
    actor: Actor,
  ): Promise<"retargeted" | "conflict"> {
    const raw = await this.getVersioned(rr.id);
    if (!raw) throw new Error(`remediation ${rr.id} does not exist`);
    const now = new Date().toISOString();
    const event = chainAuditEvent(
      {
        type: "TargetVerified",
        at: now,
        actor,
        details: {
          inferred: rr.targetResource,
          verified: verified.target,
          fingerprint: verified.fingerprint,
        },
      },
      (raw.auditSeq ?? 0) + 1,
      raw.auditHead ?? GENESIS_HASH,
    );
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: keys.remediation(rr.id),
                UpdateExpression:
                  "SET targetResource = :target, targetSource = :verified, fingerprint = :fp, gsi1pk = :gsi1pk, auditSeq = :seq, auditHead = :head",
                ConditionExpression: "auditSeq = :prevSeq",
                ExpressionAttributeValues: {
                  ":target": verified.target,
                  ":verified": "label",
                  ":fp": verified.fingerprint,
                  ":gsi1pk": keys.fingerprintPartition(verified.fingerprint),
                  ":seq": event.seq,
                  ":head": event.hash,
                  ":prevSeq": raw.auditSeq ?? 0,
                },
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: this.auditItem(rr.id, event),
                ConditionExpression: "attribute_not_exists(pk)",
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: keys.fingerprintState(verified.fingerprint),
                UpdateExpression:
                  "SET activeRemediationId = :id, activePhase = :phase, activeCreatedAt = :created, activeExecutionStartedAt = :now",
                ConditionExpression: verified.previousActiveId
                  ? "activeRemediationId = :previous"
                  : "attribute_not_exists(activeRemediationId)",
                ExpressionAttributeValues: {
                  ":id": rr.id,
                  ":phase": raw.phase,
                  ":created": rr.createdAt,
                  ":now": now,
                  ...(verified.previousActiveId ? { ":previous": verified.previousActiveId } : {}),
                },
              },
            },
            {
              Update: {
                TableName: this.tableName,
                Key: keys.fingerprintState(rr.fingerprint),
                UpdateExpression:
                  "REMOVE activeRemediationId, activePhase, activeCreatedAt, activeExecutionStartedAt",
                ConditionExpression: "activeRemediationId = :id",
                ExpressionAttributeValues: { ":id": rr.id },
              },
            },
          ],
        }),
      );
      return "retargeted";
    } catch (error) {
      if (isLostRace(error)) return "conflict";
      throw error;
    }
  }

  /** Lifts every hold on a fingerprint (an operator's release); returns the holds that were there. */
  async releaseHolds(fingerprint: string): Promise<readonly Hold[]> {
    const { holds } = await this.readFingerprint(fingerprint);
    const names = Object.fromEntries(HOLD_KINDS.map((kind, i) => [`#h${i}`, holdAttribute(kind)]));
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.fingerprintState(fingerprint),
        UpdateExpression: `REMOVE ${Object.keys(names).join(", ")}`,
        ExpressionAttributeNames: names,
      }),
    );
    // Holds written before they moved onto the state item.
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :hold)",
        ExpressionAttributeValues: { ":pk": keys.fingerprintPartition(fingerprint), ":hold": HOLD_PREFIX },
        ConsistentRead: true,
      }),
    );
    for (const item of Items)
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: item.pk, sk: item.sk } }));
    return holds;
  }

  /**
   * Puts a hold on a fingerprint (dry-run, manual review, backoff, block, pause), as an attribute of its
   * state item, so the one-call duplicate check (absorbDuplicate) sees it. One hold per kind; a later
   * one of the same kind replaces it.
   */
  async putHold(fingerprint: string, hold: Hold): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.fingerprintState(fingerprint),
        UpdateExpression: "SET #hold = :hold",
        ExpressionAttributeNames: { "#hold": holdAttribute(hold.kind) },
        ExpressionAttributeValues: { ":hold": hold },
      }),
    );
  }

  private async tryAppendAudit(
    rr: RemediationRequest & { auditSeq?: number; auditHead?: string },
    body: AuditEventBody,
    extra: AuditExtra,
  ): Promise<AuditEvent | undefined> {
    const raw = rr as { auditSeq?: number; auditHead?: string };
    const seq = (raw.auditSeq ?? 0) + 1;
    const event = chainAuditEvent(body, seq, raw.auditHead ?? GENESIS_HASH);
    const setEntries = Object.entries({ ...extra.set, auditSeq: seq, auditHead: event.hash });
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ":prevSeq": raw.auditSeq ?? 0 };
    const sets: string[] = [];
    const removes: string[] = [];
    setEntries.forEach(([key, value], i) => {
      names[`#a${i}`] = key;
      if (value === undefined) {
        removes.push(`#a${i}`);
      } else {
        values[`:a${i}`] = value;
        sets.push(`#a${i} = :a${i}`);
      }
    });
    const update = `SET ${sets.join(", ")}${removes.length > 0 ? ` REMOVE ${removes.join(", ")}` : ""}`;
    // Every write to a remediation goes through here, so its audit sequence doubles as its version: an
    // unchanged sequence means nothing changed since the caller read it.
    const condition = "auditSeq = :prevSeq";
    const transactItems: NonNullable<TransactWriteCommandInput["TransactItems"]> = [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.remediation(rr.id),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: this.auditItem(rr.id, event),
          ConditionExpression: "attribute_not_exists(pk)",
        },
      },
    ];
    if (extra.fingerprint) {
      const fpNames: Record<string, string> = {};
      const fpValues: Record<string, unknown> = {};
      const fpSets: string[] = [];
      const fpRemoves: string[] = [];
      Object.entries(extra.fingerprint.set).forEach(([key, value], i) => {
        fpNames[`#f${i}`] = key;
        if (value === undefined) {
          fpRemoves.push(`#f${i}`);
        } else {
          fpValues[`:f${i}`] = value;
          fpSets.push(`#f${i} = :f${i}`);
        }
      });
      const ifActive = extra.fingerprint.ifActive;
      if (ifActive) fpValues[":active"] = ifActive;
      transactItems.push({
        Update: {
          TableName: this.tableName,
          Key: keys.fingerprintState(extra.fingerprint.fingerprint),
          UpdateExpression: `SET ${fpSets.join(", ")}${fpRemoves.length > 0 ? ` REMOVE ${fpRemoves.join(", ")}` : ""}`,
          ExpressionAttributeNames: fpNames,
          ExpressionAttributeValues: fpValues,
          // Only the active remediation speaks for the fingerprint; an older one finishing late must not
          // overwrite the phase of its successor.
          ...(ifActive ? { ConditionExpression: "activeRemediationId = :active" } : {}),
        },
      });
    }
    const own = transactItems.length;
    transactItems.push(...(extra.alongside ?? []));
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: transactItems }));
      return event;
    } catch (error) {
      // A refused alongside item is the caller's answer (a claim lost, a record missing), not a race on
      // the remediation: re-reading it would not change that.
      const refused = alongsideRefused(error, own);
      if (refused !== undefined) throw new AlongsideConditionFailedError(refused);
      if (isLostRace(error)) return undefined;
      throw error;
    }
  }

  /** The remediation with its audit sequence and head (strongly consistent): see TransitionOptions.current. */
  async getVersioned(id: string): Promise<VersionedRemediation | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.remediation(id), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return { ...toRemediation(Item), auditSeq: Item.auditSeq, auditHead: Item.auditHead };
  }

  private remediationItem(
    rr: RemediationRequest,
    auditSeq: number,
    auditHead: string,
  ): Record<string, unknown> {
    return {
      ...keys.remediation(rr.id),
      ...rr,
      ...indexes.remediationsOfFingerprint(rr.fingerprint, rr.createdAt, rr.id),
      ...indexes.remediationInPhase(rr.phase, rr.updatedAt, rr.id),
      ...indexes.remediationInAll(rr.createdAt, rr.id),
      auditSeq,
      auditHead,
    };
  }

  private auditItem(id: string, event: AuditEvent): Record<string, unknown> {
    return {
      ...keys.remediationAudit(id, event.seq),
      ...event,
      expiresAt: epochSeconds(addDays(new Date(event.at), this.options.auditRetentionDays)),
    };
  }
}

export interface AuditExtra {
  /** Attributes of the remediation item to set (undefined removes) in the same transaction. */
  set?: Record<string, unknown>;
  /** Checked against the freshly read remediation before each attempt; false aborts the write. */
  precondition?: (current: RemediationRequest) => boolean;
  /** Attributes of the fingerprint state to set in the same transaction. */
  fingerprint?: { fingerprint: string; set: Record<string, unknown>; ifActive?: string };
  /** Other stores' items written in the same transaction (see TransitionOptions.alongside). */
  alongside?: readonly TransactItem[];
}

/** The position among the alongside items (after the first `own`) of one whose condition failed. */
function alongsideRefused(error: unknown, own: number): number | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const index = (error.CancellationReasons ?? []).findIndex(
    (reason, i) => i >= own && reason.Code === "ConditionalCheckFailed",
  );
  return index < 0 ? undefined : index - own;
}

function index(name: "gsi1" | "gsi2" | "gsi3", pk: string): QueryCommandInput {
  return {
    TableName: "",
    IndexName: name,
    KeyConditionExpression: `${name}pk = :ipk`,
    ExpressionAttributeValues: { ":ipk": pk },
  };
}

/** Another writer won: a condition failed, or a transaction on the same item was in progress. */
function isLostRace(error: unknown): boolean {
  return isCancelledByCondition(error, { conflicts: true }) || isConditionalCheckFailed(error);
}

function toRemediation(item: Record<string, unknown>): RemediationRequest {
  return RemediationRequest.parse(item);
}

function toAuditEvent(item: Record<string, unknown>): AuditEvent {
  const { seq, at, type, actor, details, prevHash, hash } = item as unknown as AuditEvent;
  return details === undefined
    ? { seq, at, type, actor, prevHash, hash }
    : { seq, at, type, actor, details, prevHash, hash };
}

/** The fingerprint's state item (and any holds kept as items of their own) as ingest reads it. */
function toFingerprintRecord(
  fingerprint: string,
  state: Record<string, unknown>,
  legacyHolds: readonly Hold[],
): FingerprintRecord {
  const holds = HOLD_KINDS.flatMap((kind) => {
    const value = state[holdAttribute(kind)];
    return value && typeof value === "object"
      ? [toHold({ ...(value as Record<string, unknown>), kind })]
      : [];
  });
  return {
    fingerprint,
    activeRemediationId: state.activeRemediationId as string | undefined,
    activePhase: state.activePhase as Phase | undefined,
    activeCreatedAt: state.activeCreatedAt as string | undefined,
    activeExecutionStartedAt: state.activeExecutionStartedAt as string | undefined,
    activeStartFailedAt: state.activeStartFailedAt as string | undefined,
    occurrenceCount: (state.occurrenceCount as number | undefined) ?? 0,
    holds: [...holds, ...legacyHolds],
  };
}

function toHold(item: Record<string, unknown>): Hold {
  const kind = String(item.kind) as HoldKind;
  if (!HOLD_KINDS.includes(kind)) throw new Error(`unknown hold kind ${kind}`);
  const hold: Hold = { kind, reason: String(item.reason), expiresAt: Number(item.expiresAt) };
  if (typeof item.remediationId === "string") hold.remediationId = item.remediationId;
  return hold;
}

function definedOnly(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

export class InvalidCursorError extends Error {
  constructor() {
    super("cursor is not one this API returned");
    this.name = "InvalidCursorError";
  }
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

/**
 * A cursor is the LastEvaluatedKey of the same query: exactly the table's and the index's key attributes,
 * as strings, in the partition being read. Anything else (crafted, or reused under another filter) is
 * refused here as a 400 instead of reaching DynamoDB as a start key it rejects.
 */
function decodeCursor(cursor: string, indexName: string, partition: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new InvalidCursorError();
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new InvalidCursorError();
  const key = value as Record<string, unknown>;
  const expected = ["pk", "sk", `${indexName}pk`, `${indexName}sk`];
  const names = Object.keys(key);
  if (
    names.length !== expected.length ||
    !expected.every((name) => typeof key[name] === "string" && key[name] !== "") ||
    key[`${indexName}pk`] !== partition
  )
    throw new InvalidCursorError();
  return key;
}
