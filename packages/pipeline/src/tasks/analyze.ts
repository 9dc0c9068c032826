import {
  alignmentGate,
  applyFeedback,
  investigateWithModel,
  investigateWithRules,
  selectByAlertName,
  suggestPlan,
} from "@kubernaut/agent";
import { type Evidence, kubernetesErrorMessage, statusCode } from "@kubernaut/cluster";
import type { Config } from "@kubernaut/config";
import {
  type Analysis,
  effectiveLevel,
  endsDryRun,
  evaluateGuards,
  initialLevel,
  type RemediationRequest,
  suggestionIdFor,
  type TrustLevel,
} from "@kubernaut/core";
import { logger, metrics } from "@kubernaut/telemetry";
import { findWorkflow, type WorkflowDefinition } from "@kubernaut/workflows";
import { catalogOf } from "./catalog";
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

export function routingFacts(
  analysis: Analysis,
  config: Config,
  trustLevel: TrustLevel | undefined,
): RoutingFacts {
  return {
    actionable: analysis.actionable,
    workflowSelected: analysis.workflowId !== undefined,
    confident: analysis.confidence >= config.aianalysis.lowConfidenceFloor,
    aligned: analysis.aligned,
    dryRun: endsDryRun(config.remediationOrchestrator, trustLevel),
    blocked: false,
  };
}

/**
 * The trust level of a workflow in a namespace, registering the workflow on first sight. Given the
 * definition, the level is its version's: a new version starts over where its author says, or at the
 * configured start (observe unless `newWorkflowsDryRun` is off).
 */
export async function trustLevelOf(
  deps: PipelineDeps,
  workflow: WorkflowDefinition | string | undefined,
  namespace: string | undefined,
): Promise<TrustLevel | undefined> {
  if (!workflow) return undefined;
  const registerAs = initialLevel(deps.config().remediationOrchestrator);
  if (typeof workflow === "string")
    return effectiveLevel(await deps.trust.get(workflow, registerAs), namespace);
  const startAs = workflow.initialTrust ?? registerAs;
  try {
    return effectiveLevel(
      await deps.trust.getVersion(workflow.id, workflow.version, startAs, deps.now?.() ?? new Date()),
      namespace,
    );
  } catch (error) {
    // The version could not be recorded (a throttled item): decide from what is there, and for a
    // version the record does not know, as a new version starts — never with another version's trust.
    logger.warn("could not record the workflow version on its trust record", {
      workflowId: workflow.id,
      error,
    });
    const record = await deps.trust.get(workflow.id, registerAs);
    return record.version !== undefined && record.version !== workflow.version
      ? startAs
      : effectiveLevel(record, namespace);
  }
}

/**
 * Analysis (DESIGN §3.3): Processing → Analyzing with the selection — the rules investigator when a
 * cluster is reachable, otherwise selection by alert name — and the routing facts, including the
 * workflow's trust level (Level 2).
 */
export async function analyze(deps: PipelineDeps, remediationId: string): Promise<RoutingFacts> {
  const rr = await loadRemediation(deps, remediationId);
  const config = deps.config();
  const namespace = rr.targetResource.namespace;
  if (rr.phase === "Analyzing" && rr.analysis) {
    return {
      ...routingFacts(
        rr.analysis,
        config,
        await trustLevelOf(
          deps,
          findWorkflow(rr.analysis.workflowId ?? "", await catalogOf(deps)) ?? rr.analysis.workflowId,
          namespace,
        ),
      ),
      blocked: rr.guard !== undefined,
    };
  }
  await deps.cluster?.prepare?.(rr.targetResource.cluster);
  const catalog = await catalogOf(deps);
  const model = deps.model?.("investigation");
  const llm = config.aianalysis.llm;
  const investigated = deps.cluster
    ? await (model && llm
        ? investigateWithModel(
            model,
            deps.cluster.access(rr.targetResource.cluster),
            rr,
            catalog,
            {
              ...llm.budget,
              maxMs: llm.budget.maxDuration,
            },
            config.effectivenessMonitor,
            deps.model?.("alignment") ?? model,
          )
        : investigateWithRules(deps.cluster.access(rr.targetResource.cluster), rr, catalog)
      ).catch((error: unknown) => ({
        // The cluster could not be read: fall back to the alert name, and say so in the rationale.
        ...selectByAlertName(rr.signal, rr.targetResource, catalog),
        rationale: `investigation failed (${
          statusCode(error) === undefined
            ? (error as Error).message
            : kubernetesErrorMessage(error, rr.targetResource, rr.targetResource.cluster)
        }); selected by alert name instead`,
      }))
    : selectByAlertName(rr.signal, rr.targetResource, catalog);
  const usage = (investigated as Analysis).usage;
  if (usage) {
    const labels = { investigator: (investigated as Analysis).investigator };
    metrics.inc(
      "kubernaut_aianalysis_llm_tokens_total",
      "Model tokens, by direction",
      { ...labels, direction: "input" },
      usage.inputTokens,
    );
    metrics.inc(
      "kubernaut_aianalysis_llm_tokens_total",
      "Model tokens, by direction",
      { ...labels, direction: "output" },
      usage.outputTokens,
    );
    metrics.inc(
      "kubernaut_aianalysis_llm_latency_ms_total",
      "Time spent waiting for the model",
      labels,
      usage.latencyMs,
    );
    metrics.inc("kubernaut_aianalysis_llm_investigations_total", "Model investigations, by result", {
      ...labels,
      result: (investigated as Analysis).failure ? "failed" : "proposed",
    });
  }
  // The fingerprint's history: past effectiveness adjusts confidence, and the routing guards read it.
  const history = (await deps.store.list({ fingerprint: rr.fingerprint, limit: 50 })).items.filter(
    (r) => r.id !== rr.id,
  );
  const feedback = applyFeedback(
    investigated,
    history,
    (investigated.evidence as Evidence | undefined)?.target.specHash,
  );
  // The alignment gate: an independent cross-check against the evidence (only with a cluster to read).
  const problems = deps.cluster
    ? alignmentGate(feedback.analysis, investigated.evidence, rr.targetResource, {
        workflow: findWorkflow(feedback.analysis.workflowId ?? "", catalog),
        alertName: rr.signal.alertName,
      })
    : [];
  const evidenceWarnings = ((investigated.evidence as { warnings?: string[] } | undefined)?.warnings ??
    []) as string[];
  const warnings = [...evidenceWarnings, ...feedback.warnings];
  const analysis = {
    ...feedback.analysis,
    ...(problems.length
      ? {
          aligned: false,
          rationale: `${feedback.analysis.rationale}; alignment check failed: ${problems.join("; ")}`,
        }
      : {}),
    ...(investigated.evidence || warnings.length
      ? { evidence: { ...summaryOf(investigated.evidence), warnings } }
      : {}),
  };
  // The bulky part of the evidence goes to its own item, written once (issue 22: the remediation is
  // rewritten at every step, and billed by its size each time).
  const bulky = bulkyOf(investigated.evidence);
  if (bulky) await deps.store.putEvidence(remediationId, bulky, deps.now?.() ?? new Date());
  if (analysis.actionable && !analysis.workflowId) {
    // No workflow matches: leave a plan for a human (DESIGN §3.3), stored for review and conversion.
    Object.assign(analysis, await recordSuggestion(deps, rr, investigated.evidence));
  }
  const trustLevel = await trustLevelOf(
    deps,
    findWorkflow(analysis.workflowId ?? "", catalog) ?? analysis.workflowId,
    namespace,
  );
  const guard = evaluateGuards(
    history,
    analysis.workflowId,
    deps.now?.() ?? new Date(),
    config.remediationOrchestrator.routing,
  );
  const blocked = guard.blocked
    ? {
        guard: {
          reason: guard.reason,
          until: guard.until,
          detail: guard.detail,
          manualReview: guard.manualReview,
        },
      }
    : {};
  await deps.store.transition(
    remediationId,
    { to: "Analyzing", set: { analysis, ...blocked }, event: "AnalysisCompleted" },
    PIPELINE_ACTOR,
    {
      workflowId: analysis.workflowId,
      confidence: analysis.confidence,
      rationale: analysis.rationale,
      trustLevel,
      ...blocked,
    },
  );
  return { ...routingFacts(analysis, config, trustLevel), blocked: guard.blocked };
}

/** Stores the suggestion for a remediation no workflow matched; its id and summary go on the analysis. */
async function recordSuggestion(
  deps: PipelineDeps,
  rr: RemediationRequest,
  evidence: unknown,
): Promise<Pick<Analysis, "suggestion" | "suggestionId">> {
  const plan = suggestPlan(rr.signal, rr.targetResource, evidence as Evidence | undefined);
  const id = suggestionIdFor(rr.id);
  await deps.suggestions.record({
    id,
    remediationId: rr.id,
    fingerprint: rr.fingerprint,
    alertName: rr.signal.alertName,
    target: rr.targetResource,
    summary: plan.summary,
    steps: plan.steps,
    ...(plan.proposedActionType ? { proposedActionType: plan.proposedActionType } : {}),
    status: "Open",
    createdAt: (deps.now?.() ?? new Date()).toISOString(),
  });
  const numbered = plan.steps.map((step, i) => `${i + 1}. ${step.description}`).join(" ");
  return { suggestionId: id, suggestion: `${plan.summary}. ${numbered}` };
}

/**
 * What stays on the remediation of an investigation's evidence: what later steps read (the policy's
 * detected labels and failed detections, the target's identity and spec hash, the HPA) — small. The
 * rest (pods, events, logs, rollout history, resources, nodes) is stored once, on its own.
 */
const KEPT_EVIDENCE = new Set(["detectedLabels", "failedDetections", "warnings", "target", "hpa"]);

function summaryOf(evidence: unknown): Record<string, unknown> {
  if (!evidence || typeof evidence !== "object") return {};
  return Object.fromEntries(Object.entries(evidence).filter(([key]) => KEPT_EVIDENCE.has(key)));
}

function bulkyOf(evidence: unknown): Record<string, unknown> | undefined {
  if (!evidence || typeof evidence !== "object") return undefined;
  const rest = Object.entries(evidence).filter(([key]) => !KEPT_EVIDENCE.has(key));
  return rest.length > 0 ? Object.fromEntries(rest) : undefined;
}
