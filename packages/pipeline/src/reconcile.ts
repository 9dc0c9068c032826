import { type Actor, isTerminal, type Phase } from "@kubernaut/core";
import type { RemediationStore } from "@kubernaut/store";
import { ConcurrentUpdateError } from "@kubernaut/store";

const ENGINE_ACTOR: Actor = { type: "system", id: "local-engine", channel: "pipeline" };

/** Phases an execution owns. Verifying is the effectiveness monitor's, so it is left alone. */
const OWNED_BY_EXECUTION: readonly Phase[] = [
  "Pending",
  "Processing",
  "Analyzing",
  "AwaitingApproval",
  "Executing",
];

export interface ReconcileReport {
  restarted: string[];
  failed: string[];
}

/**
 * The local engine keeps executions in memory, so remediations left mid-pipeline by an earlier run
 * would dedup their fingerprint forever (DESIGN §7). A remediation that never got past Pending is
 * started again under its execution name (nothing happened yet, so this is safe); any later phase is
 * failed with reason EngineRestarted, because re-running a half-done step could remediate twice.
 */
export async function reconcileAfterRestart(
  store: RemediationStore,
  start: (remediation: { id: string; executionName: string }) => Promise<unknown>,
): Promise<ReconcileReport> {
  const report: ReconcileReport = { restarted: [], failed: [] };
  for (const phase of OWNED_BY_EXECUTION) {
    let cursor: string | undefined;
    do {
      const page = await store.list({ phase, limit: 100, ...(cursor ? { cursor } : {}) });
      for (const rr of page.items) {
        if (phase === "Pending") {
          await start(rr);
          report.restarted.push(rr.id);
          continue;
        }
        try {
          await store.transition(
            rr.id,
            { from: [phase], to: "Failed", reason: "EngineRestarted", failurePhase: phase },
            ENGINE_ACTOR,
            { note: "the local engine restarted while this remediation was in flight" },
          );
          report.failed.push(rr.id);
        } catch (error) {
          if (!(error instanceof ConcurrentUpdateError)) throw error;
        }
      }
      cursor = page.cursor;
    } while (cursor);
  }
  return report;
}

/**
 * Called when an execution closes. If it ended without its remediation reaching a terminal phase (the
 * failure path itself failed, the execution timed out or was stopped), the remediation is failed here so
 * its fingerprint is released. On AWS the same function runs from an EventBridge execution-status rule.
 */
export async function reconcileClosedExecution(
  store: RemediationStore,
  execution: { name: string; status: string; error?: string; cause?: string },
): Promise<boolean> {
  if (execution.status === "SUCCEEDED") return false;
  const rr = await store.get(execution.name);
  if (!rr || isTerminal(rr.phase)) return false;
  const to: Phase =
    execution.status === "TIMED_OUT" ? "TimedOut" : execution.status === "ABORTED" ? "Cancelled" : "Failed";
  try {
    await store.transition(
      rr.id,
      {
        to,
        reason: `execution ${execution.status}${execution.error ? `: ${execution.error}` : ""}`,
        failurePhase: rr.phase,
      },
      ENGINE_ACTOR,
      { cause: execution.cause },
    );
    return true;
  } catch (error) {
    if (error instanceof ConcurrentUpdateError) return false;
    throw error;
  }
}
