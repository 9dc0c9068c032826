import { PIPELINE_ACTOR, type PipelineDeps } from "./deps";
import { ExecutorUnavailableError } from "./errors";
import { loadRemediation } from "./load";

/**
 * Execute (DESIGN §3.7). Until the cluster issue installs the executors, the remediation enters
 * Executing and the task refuses with ExecutorUnavailable, which the failure path records: nothing is
 * changed, and nothing claims otherwise.
 */
export async function execute(deps: PipelineDeps, remediationId: string): Promise<never> {
  const rr = await loadRemediation(deps, remediationId);
  if (rr.phase === "Analyzing" || rr.phase === "AwaitingApproval") {
    await deps.store.transition(remediationId, { from: [rr.phase], to: "Executing" }, PIPELINE_ACTOR);
  }
  throw new ExecutorUnavailableError(rr.analysis?.actionType);
}

/** Verify rollout: needs the cluster too; unreachable while execute refuses. */
export async function checkRollout(deps: PipelineDeps, remediationId: string): Promise<never> {
  const rr = await loadRemediation(deps, remediationId);
  throw new ExecutorUnavailableError(rr.analysis?.actionType);
}

/** Record outcome (DESIGN §3.9): Executing → Verifying, where the effectiveness monitor takes over. */
export async function recordOutcome(
  deps: PipelineDeps,
  remediationId: string,
): Promise<Record<string, never>> {
  const rr = await loadRemediation(deps, remediationId);
  if (rr.phase === "Executing") {
    await deps.store.transition(remediationId, { from: ["Executing"], to: "Verifying" }, PIPELINE_ACTOR);
  }
  return {};
}
