import type { HoldKind } from "@kubernaut/core";

/**
 * Every key pattern of the one table (DESIGN §4), each beside the access pattern it serves. The stores
 * build keys only here, so the layout table.ts documents is the layout the code writes. Sort keys that
 * end in `<time>#<id>` sort newest last, so a Query with `ScanIndexForward: false` reads newest first.
 */
export const keys = {
  // RR#<id>: a remediation's partition. One Query reads the remediation and its audit chain (the
  // timeline); the bulky evidence and the assessment sit beside it and are read on their own.
  remediation: (id: string) => ({ pk: `RR#${id}`, sk: "RR" }),
  remediationAudit: (id: string, seq: number) => ({ pk: `RR#${id}`, sk: `${AUDIT_PREFIX}${pad(seq)}` }),
  /** The investigation's bulky evidence, written once beside the remediation (issue 22). */
  remediationEvidence: (id: string) => ({ pk: `RR#${id}`, sk: "EVIDENCE" }),
  assessment: (remediationId: string) => ({ pk: `RR#${remediationId}`, sk: "ASSESSMENT" }),

  // FP#<fp>: ingest's one strongly consistent read per alert. The state item carries the active
  // remediation, the occurrence count and every hold (`hold_<kind>` attributes); `HOLD#<kind>` items
  // are holds written before they moved onto the state item, still honoured until they expire.
  fingerprintPartition: (fingerprint: string) => `FP#${fingerprint}`,
  fingerprintState: (fingerprint: string) => ({ pk: `FP#${fingerprint}`, sk: "STATE" }),
  hold: (fingerprint: string, kind: string) => ({ pk: `FP#${fingerprint}`, sk: `${HOLD_PREFIX}${kind}` }),

  // AUDIT#SYSTEM#<day>: the system audit chain of one day, its head item naming the last sequence.
  systemAuditPartition: (day: string) => `AUDIT#SYSTEM#${day}`,
  systemAuditHead: (day: string) => ({ pk: `AUDIT#SYSTEM#${day}`, sk: "HEAD" }),
  systemAudit: (day: string, seq: number) => ({
    pk: `AUDIT#SYSTEM#${day}`,
    sk: `${AUDIT_PREFIX}${pad(seq)}`,
  }),

  /** The approval request of a remediation (GetItem by id; gsi2 and gsi3 list it). */
  approval: (id: string) => ({ pk: `RAR#${id}`, sk: "RAR" }),
  /** A natural-language intake request (GetItem by id). */
  intake: (id: string) => ({ pk: `INTAKE#${id}`, sk: "INTAKE" }),
  /** A suggestion left when no workflow matched (GetItem by id; gsi3 lists them). */
  suggestion: (id: string) => ({ pk: `SUG#${id}`, sk: "SUG" }),
  /** A workflow's trust record and statistics (GetItem by id; gsi3 lists them). */
  workflow: (id: string) => ({ pk: `WF#${id}`, sk: "WF" }),
  /** The kill switch: one item. */
  pause: () => ({ pk: "SYSTEM", sk: "PAUSE" }),
  /** The per-target execution lease (conditional put; `expiresAt`). */
  lease: (target: string) => ({ pk: `LEASE#${target}`, sk: "LEASE" }),

  // NR#<id>: a notification request and one delivery item per receiver (one Query reads them all).
  notification: (id: string) => ({ pk: `NR#${id}`, sk: "NR" }),
  delivery: (id: string, receiver: string) => ({ pk: `NR#${id}`, sk: `${DELIVERY_PREFIX}${receiver}` }),
  /** A channel's circuit breaker, shared by every container (gsi3 lists them). */
  breaker: (channel: string) => ({ pk: `BREAKER#${channel}`, sk: "BREAKER" }),

  /** An A2A task (GetTask; gsi1 lists a caller's tasks). */
  a2aTask: (taskId: string) => ({ pk: `A2A#${taskId}`, sk: "TASK" }),
};

export const AUDIT_PREFIX = "AUDIT#";
export const HOLD_PREFIX = "HOLD#";
export const DELIVERY_PREFIX = "DELIVERY#";

/**
 * The secondary indexes. Each is shared by several item types whose partitions never meet:
 * - gsi1: "history of this fingerprint" (GET /remediations?fingerprint=), and A2A ListTasks.
 * - gsi2: "remediations in this phase", approval requests by state, dead letters.
 * - gsi3: small fixed partitions read whole: all remediations, the workflow records, the suggestions,
 *   the due assessments, the approval outbox, the breakers.
 * gsi2 and gsi3 entries are sparse where it matters: an item leaves the index by removing its keys.
 */
export const indexes = {
  /** gsi1: a fingerprint's remediations, newest first. */
  remediationsOfFingerprint: (fingerprint: string, createdAt: string, id: string) => ({
    gsi1pk: keys.fingerprintPartition(fingerprint),
    gsi1sk: `${createdAt}#${id}`,
  }),
  /** gsi1: an API token's A2A tasks, newest first; a task is only ever visible to its owner. */
  a2aTasksOfOwnerPartition: (owner: string) => `A2A#OWNER#${owner}`,
  a2aTaskOfOwner: (owner: string, createdAt: string, taskId: string) => ({
    gsi1pk: `A2A#OWNER#${owner}`,
    gsi1sk: `${createdAt}#${taskId}`,
  }),

  /** gsi2: remediations in a phase, newest first (list filters, start-up reconciliation). */
  remediationsInPhasePartition: (phase: string) => `PHASE#${phase}`,
  remediationInPhase: (phase: string, updatedAt: string, id: string) => ({
    gsi2pk: `PHASE#${phase}`,
    gsi2sk: `${updatedAt}#${id}`,
  }),
  /** gsi2: approval requests by state — Pending by requiredBy (soonest first), decided ones by decision. */
  approvalsInStatePartition: (state: string) => `RAR#${state}`,
  pendingApproval: (requiredBy: string, id: string) => ({
    gsi2pk: "RAR#Pending",
    gsi2sk: `${requiredBy}#${id}`,
  }),
  /** gsi2: deliveries that exhausted their retries, newest first. */
  DEAD_LETTERS: "DEADLETTER",
  deadLetter: (at: string, id: string, receiver: string) => ({
    gsi2pk: "DEADLETTER",
    gsi2sk: `${at}#${id}#${receiver}`,
  }),

  /**
   * gsi3 `RR`: every remediation, newest first. One partition is fine: it is written once per
   * remediation, not per alert, and a storm of duplicates never touches it.
   */
  ALL_REMEDIATIONS: "RR",
  remediationInAll: (createdAt: string, id: string) => ({
    gsi3pk: "RR",
    gsi3sk: `${createdAt}#${id}`,
  }),
  /** gsi3 `WF`: every workflow record (the catalog's trust levels, registered workflows). */
  WORKFLOWS: "WF",
  workflowInAll: (id: string) => ({ gsi3pk: "WF", gsi3sk: id }),
  /** gsi3 `SUG`: every suggestion, newest first. */
  SUGGESTIONS: "SUG",
  suggestionInAll: (createdAt: string, id: string) => ({
    gsi3pk: "SUG",
    gsi3sk: `${createdAt}#${id}`,
  }),
  /** gsi3 `ASSESS#DUE` (sparse): assessments not yet done, by due time; a completed one leaves it. */
  ASSESSMENTS_DUE: "ASSESS#DUE",
  assessmentDue: (dueAt: string, remediationId: string) => ({
    gsi3pk: "ASSESS#DUE",
    gsi3sk: `${dueAt}#${remediationId}`,
  }),
  /** gsi3 `RAR#OUTBOX` (sparse): decisions not yet delivered to their waiting execution. */
  APPROVAL_OUTBOX: "RAR#OUTBOX",
  approvalInOutbox: (at: string, id: string) => ({
    gsi3pk: "RAR#OUTBOX",
    gsi3sk: `${at}#${id}`,
  }),
  /** gsi3 `BREAKER`: every channel's breaker (the metrics gauge). */
  BREAKERS: "BREAKER",
  breakerInAll: (channel: string) => ({ gsi3pk: "BREAKER", gsi3sk: channel }),
};

/** The fingerprint state item's attribute holding a hold of one kind (`hold_dryRun`, `hold_manualReview`, …). */
export const holdAttribute = (kind: HoldKind) => `hold_${kind}`;

function pad(seq: number): string {
  return seq.toString().padStart(10, "0");
}

export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}
