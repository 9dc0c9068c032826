import {
  type Actor,
  decideDedup,
  executionNameFor,
  fingerprintOf,
  type Hold,
  newRemediationId,
  type RemediationRequest,
  resolveTarget,
  type Signal,
} from "@kubernaut/core";
import type { RemediationStore } from "@kubernaut/store";
import { logger } from "@kubernaut/telemetry";
import type { RemediationStarter } from "./starters";

export type IngestStatus = "created" | "deduplicated" | "held" | "resolved" | "rejected";

/** One alert's answer in the webhook response (DESIGN §9). */
export interface IngestResult {
  fingerprint: string | null;
  remediationId: string | null;
  status: IngestStatus;
  reason?: string;
  alertName?: string;
}

export interface IngestDeps {
  store: RemediationStore;
  starter: RemediationStarter;
  pendingGraceMs: number;
  now?: () => Date;
}

const INGEST_ACTOR: Actor = { type: "service", id: "gateway", channel: "webhook" };
/** Losing the create race more often than this means something else is wrong; let the caller retry. */
const MAX_RACES = 5;

/**
 * The ingest decision for one signal (DESIGN §3.1), shared by the webhook and, later, text intake so
 * both dedup the same way. Throws only on transient faults; the HTTP layer turns those into a 503 so the
 * sender redelivers, and every step here is safe to repeat.
 */
export async function ingestSignal(
  deps: IngestDeps,
  input: { status: "firing" | "resolved"; signal: Signal; actor?: Actor },
): Promise<IngestResult> {
  const now = deps.now?.() ?? new Date();
  const { signal } = input;
  const actor = input.actor ?? INGEST_ACTOR;
  const alertName = signal.alertName || undefined;
  const resolution = resolveTarget(signal.labels);
  if (!resolution.ok) return rejected(resolution.reason, alertName);
  if (!alertName) return rejected('the alert has no "alertname" label', alertName);
  const { target, source } = resolution;
  const fingerprint = fingerprintOf(target);

  if (input.status === "resolved") {
    const view = await deps.store.readFingerprint(fingerprint);
    const id = view.activeRemediationId;
    if (!id)
      return {
        fingerprint,
        remediationId: null,
        status: "resolved",
        reason: "no remediation for this target",
        alertName,
      };
    await deps.store.markSignalResolved(id, now, actor);
    return { fingerprint, remediationId: id, status: "resolved", alertName };
  }

  // The storm's common case — a redelivery of an alert whose remediation is running, or whose
  // fingerprint is held — in one conditional write (issue 22); anything else reads, decides, writes.
  const absorbed = await deps.store.absorbDuplicate(fingerprint, now);
  if (absorbed) {
    const decision = decideDedup(absorbed, now, deps.pendingGraceMs);
    if (decision.action === "deduplicated")
      return { fingerprint, remediationId: decision.remediationId, status: "deduplicated", alertName };
    if (decision.action === "held") return heldResult(fingerprint, decision.hold, alertName);
  }

  for (let race = 0; race < MAX_RACES; race++) {
    const view = await deps.store.readFingerprint(fingerprint);
    const decision = decideDedup(view, now, deps.pendingGraceMs);
    switch (decision.action) {
      case "deduplicated":
        await deps.store.recordOccurrence(fingerprint, now);
        return { fingerprint, remediationId: decision.remediationId, status: "deduplicated", alertName };
      case "held":
        await deps.store.recordOccurrence(fingerprint, now);
        return heldResult(fingerprint, decision.hold, alertName);
      case "restart": {
        await deps.store.recordOccurrence(fingerprint, now);
        const stranded = await deps.store.get(decision.remediationId);
        if (stranded) await startExecution(deps, stranded, now, true);
        return {
          fingerprint,
          remediationId: decision.remediationId,
          status: "deduplicated",
          reason: "its execution had not started; started it again",
          alertName,
        };
      }
      case "create": {
        const id = newRemediationId(fingerprint, now);
        const rr: RemediationRequest = {
          id,
          fingerprint,
          phase: "Pending",
          signal,
          targetResource: target,
          targetSource: source,
          executionName: executionNameFor(id),
          createdAt: now.toISOString(),
          updatedAt: now.toISOString(),
        };
        const outcome = await deps.store.createRemediation(rr, view.activeRemediationId, actor);
        if (outcome === "conflict") continue;
        await startExecution(deps, rr, now, false);
        return { fingerprint, remediationId: id, status: "created", alertName };
      }
    }
  }
  throw new IngestContentionError(fingerprint);
}

async function startExecution(deps: IngestDeps, rr: RemediationRequest, now: Date, restarted: boolean) {
  if (restarted) {
    // Audited before the start, so the timeline keeps its order however fast the execution runs.
    await deps.store.appendAudit(rr.id, {
      type: "ExecutionRestartRequested",
      at: now.toISOString(),
      actor: INGEST_ACTOR,
      details: { executionName: rr.executionName, reason: "Pending without a started execution" },
    });
  }
  try {
    await deps.starter.start(rr);
  } catch (error) {
    logger.warn("StartExecution failed; the next delivery starts it again", { remediationId: rr.id, error });
    await deps.store.markStartFailed(rr, now).catch(() => undefined);
    throw error;
  }
  await deps.store.markExecutionStarted(rr, now);
}

function heldResult(fingerprint: string, hold: Hold, alertName: string | undefined): IngestResult {
  return {
    fingerprint,
    remediationId: hold.remediationId ?? null,
    status: "held",
    reason: `${hold.kind}: ${hold.reason} (until ${new Date(hold.expiresAt * 1000).toISOString()})`,
    ...(alertName ? { alertName } : {}),
  };
}

function rejected(reason: string, alertName: string | undefined): IngestResult {
  return {
    fingerprint: null,
    remediationId: null,
    status: "rejected",
    reason,
    ...(alertName ? { alertName } : {}),
  };
}

/** Many concurrent writers on one fingerprint kept winning the race; transient by nature. */
export class IngestContentionError extends Error {
  constructor(fingerprint: string) {
    super(`fingerprint ${fingerprint} is contended; retry the delivery`);
    this.name = "IngestContentionError";
  }
}
