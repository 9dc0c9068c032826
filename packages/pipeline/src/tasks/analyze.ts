import { investigateWithRules, selectByAlertName } from "@kubernaut/agent";
import type { Config } from "@kubernaut/config";
import type { Analysis } from "@kubernaut/core";
import { PIPELINE_ACTOR, type PipelineDeps } from "./deps";
import { loadRemediation } from "./load";

/** The small routing facts the Route choice reads (DESIGN §3.4); everything else stays in DynamoDB. */
export interface RoutingFacts {
  actionable: boolean;
  workflowSelected: boolean;
  confident: boolean;
  aligned: boolean;
  dryRun: boolean;
  blocked: boolean;
}

export function routingFacts(analysis: Analysis, config: Config): RoutingFacts {
  return {
    actionable: analysis.actionable,
    workflowSelected: analysis.workflowId !== undefined,
    confident: analysis.confidence >= config.aianalysis.lowConfidenceFloor,
    aligned: analysis.aligned,
    dryRun: config.remediationOrchestrator.dryRun,
    // Routing guards and the kill switch arrive with the effectiveness issue.
    blocked: false,
  };
}

/**
 * Analysis (DESIGN §3.3): Processing → Analyzing with the selection. Today the selection is by alert
 * name from the catalog; the investigators of the analysis issue replace it behind the same result.
 */
export async function analyze(deps: PipelineDeps, remediationId: string): Promise<RoutingFacts> {
  const rr = await loadRemediation(deps, remediationId);
  const config = deps.config();
  if (rr.phase === "Analyzing" && rr.analysis) return routingFacts(rr.analysis, config);
  await deps.cluster?.prepare?.(rr.targetResource.cluster);
  const analysis = deps.cluster
    ? await investigateWithRules(deps.cluster.access(rr.targetResource.cluster), rr, deps.catalog).catch(
        (error: unknown) => ({
          // The cluster could not be read: fall back to the alert name, and say so in the rationale.
          ...selectByAlertName(rr.signal, rr.targetResource, deps.catalog),
          rationale: `investigation failed (${(error as Error).message}); selected by alert name instead`,
        }),
      )
    : selectByAlertName(rr.signal, rr.targetResource, deps.catalog);
  await deps.store.transition(
    remediationId,
    { from: ["Processing"], to: "Analyzing", set: { analysis }, event: "AnalysisCompleted" },
    PIPELINE_ACTOR,
    { workflowId: analysis.workflowId, confidence: analysis.confidence, rationale: analysis.rationale },
  );
  return routingFacts(analysis, config);
}
