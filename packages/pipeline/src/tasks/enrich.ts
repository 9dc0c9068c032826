import { enrichSignal } from "@kubernaut/agent";
import { PIPELINE_ACTOR, type PipelineDeps } from "./deps";
import { loadRemediation } from "./load";

/**
 * Signal processing (DESIGN §3.2): Pending → Processing with the enrichment, in one write. A retry
 * after that write committed finds the remediation already Processing and does nothing more.
 */
export async function enrich(deps: PipelineDeps, remediationId: string): Promise<Record<string, never>> {
  const rr = await loadRemediation(deps, remediationId);
  if (rr.phase !== "Pending") return {};
  const enrichment = enrichSignal(rr.signal, rr.targetResource);
  await deps.store.transition(
    remediationId,
    {
      from: ["Pending"],
      to: "Processing",
      set: { enrichment, executionStartedAt: (deps.now?.() ?? new Date()).toISOString() },
      event: "SignalProcessed",
    },
    PIPELINE_ACTOR,
    { enrichment },
  );
  return {};
}
