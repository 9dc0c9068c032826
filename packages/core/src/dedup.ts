import { isTerminal, type Phase } from "./remediation";

/** Why a fingerprint is held (DESIGN §3 routing guards, §1 Level 1). */
export const HOLD_KINDS = ["dryRun", "manualReview", "backoff", "blocked", "paused"] as const;
export type HoldKind = (typeof HOLD_KINDS)[number];

export interface Hold {
  kind: HoldKind;
  reason: string;
  /** Epoch seconds, the DynamoDB TTL attribute. */
  expiresAt: number;
  remediationId?: string;
}

/** What ingest knows about a fingerprint: one item plus its holds, read from one partition. */
export interface FingerprintView {
  activeRemediationId?: string;
  activePhase?: Phase;
  activeCreatedAt?: string;
  activeExecutionStartedAt?: string;
  /** Set when ingest's own StartExecution failed: no need to wait out the grace period. */
  activeStartFailedAt?: string;
  holds: readonly Hold[];
}

export type DedupDecision =
  | { action: "create" }
  | { action: "deduplicated"; remediationId: string }
  | { action: "restart"; remediationId: string }
  | { action: "held"; hold: Hold };

/**
 * TTL deletion is lazy (AWS may take up to ~48 h), so a hold whose `expiresAt` has passed is absent no
 * matter whether DynamoDB has deleted it yet.
 */
export function holdInForce(hold: Hold, now: Date): boolean {
  return hold.expiresAt * 1000 > now.getTime();
}

/**
 * Decides what a firing alert does to its fingerprint (DESIGN §3.1):
 * a non-terminal remediation absorbs it (Verifying included); a remediation still `Pending` with no
 * execution after `pendingGraceMs` (or whose start is known to have failed) was stranded by a crash between write and start, so it is started
 * again under the same execution name; a hold in force suppresses it; otherwise a new one is created.
 */
export function decideDedup(view: FingerprintView, now: Date, pendingGraceMs: number): DedupDecision {
  const { activeRemediationId: id, activePhase: phase } = view;
  if (id && phase && !isTerminal(phase)) {
    const createdAt = view.activeCreatedAt ? Date.parse(view.activeCreatedAt) : now.getTime();
    const stranded =
      phase === "Pending" &&
      !view.activeExecutionStartedAt &&
      (view.activeStartFailedAt !== undefined || now.getTime() - createdAt >= pendingGraceMs);
    return stranded
      ? { action: "restart", remediationId: id }
      : { action: "deduplicated", remediationId: id };
  }
  const holds = view.holds.filter((hold) => holdInForce(hold, now));
  const longest = holds.sort((a, b) => b.expiresAt - a.expiresAt)[0];
  if (longest) return { action: "held", hold: longest };
  return { action: "create" };
}
