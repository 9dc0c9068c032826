import { createHash } from "node:crypto";

/** Who did something, and through which door (DESIGN §4: decidedBy is the authenticated caller). */
export interface Actor {
  type: "system" | "user" | "service";
  id: string;
  channel?: "api" | "cli" | "slack" | "console" | "mcp" | "a2a" | "webhook" | "pipeline";
}

export interface AuditEventBody {
  type: string;
  at: string;
  actor: Actor;
  details?: Record<string, unknown>;
}

export interface AuditEvent extends AuditEventBody {
  seq: number;
  prevHash: string;
  hash: string;
}

/** The hash every chain starts from, so the first event's link is checkable too. */
export const GENESIS_HASH = "0".repeat(64);

/**
 * JSON with keys sorted at every depth: the hash of an event must not depend on the order a writer
 * happened to build its object in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** Links an event to its predecessor: editing, dropping or reordering any event breaks every later hash. */
export function chainAuditEvent(body: AuditEventBody, seq: number, prevHash: string): AuditEvent {
  const hash = createHash("sha256")
    .update(prevHash)
    .update(canonicalJson({ ...body, seq }))
    .digest("hex");
  return { ...body, seq, prevHash, hash };
}

export type AuditVerification = { ok: true } | { ok: false; seq: number; problem: string };

/** Re-computes a chain; reports the first event that was modified, is missing or forks. */
export function verifyAuditChain(events: readonly AuditEvent[]): AuditVerification {
  let prevHash = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    const expectedSeq = index + 1;
    if (event.seq !== expectedSeq)
      return { ok: false, seq: expectedSeq, problem: `event ${expectedSeq} is missing` };
    if (event.prevHash !== prevHash)
      return { ok: false, seq: event.seq, problem: "does not link to its predecessor" };
    const { seq, prevHash: _prev, hash, ...body } = event;
    if (chainAuditEvent(body, seq, prevHash).hash !== hash) {
      return { ok: false, seq: event.seq, problem: "content does not match its hash" };
    }
    prevHash = hash;
  }
  return { ok: true };
}
