import { formatDuration, type RemediationRequest } from "@kubernaut/core";
import { isOscillating } from "@kubernaut/notify";
import { PIPELINE_ACTOR, type PipelineDeps } from "./deps";
import { ExecutorUnavailableError } from "./errors";
import { loadRemediation } from "./load";
import { messages } from "./messages";

/**
 * Execute (DESIGN §3.7). Until the cluster issue installs the executors, the remediation enters
 * Executing and the task refuses with ExecutorUnavailable, which the failure path records: nothing is
 * changed, and nothing claims otherwise.
 */
export async function execute(deps: PipelineDeps, remediationId: string): Promise<never> {
  let rr = await loadRemediation(deps, remediationId);
  if (rr.phase === "Analyzing" || rr.phase === "AwaitingApproval") {
    const now = deps.now?.() ?? new Date();
    rr = await deps.store.transition(
      remediationId,
      { from: [rr.phase], to: "Executing", set: { executingAt: now.toISOString() } },
      PIPELINE_ACTOR,
    );
    await warnIfOscillating(deps, rr, now);
  }
  throw new ExecutorUnavailableError(rr.analysis?.actionType);
}

/** The same target executed more than N times in the window raises one Escalation (DESIGN: oscillation). */
async function warnIfOscillating(deps: PipelineDeps, rr: RemediationRequest, now: Date): Promise<void> {
  const { maxRemediations, window } = deps.config().notification.oscillation;
  const history = await deps.store.list({ fingerprint: rr.fingerprint, limit: 100 });
  const times = history.items.flatMap((r) => (r.executingAt ? [Date.parse(r.executingAt)] : []));
  if (!isOscillating(times, now.getTime(), maxRemediations, window)) return;
  await deps.notifier.notify({
    type: "Escalation",
    remediation: rr,
    ...messages.oscillation(rr, times.length, formatDuration(window)),
    key: "oscillation",
  });
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
    const verifying = await deps.store.transition(
      remediationId,
      { from: ["Executing"], to: "Verifying" },
      PIPELINE_ACTOR,
    );
    await deps.notifier.notify({
      type: "StatusUpdate",
      remediation: verifying,
      ...messages.verifying(verifying),
      key: "verifying",
    });
  }
  return {};
}
