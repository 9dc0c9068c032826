import { type AuditEvent, describeEffectiveness, isTerminal, type RemediationRequest } from "@kubernaut/core";
import { parametersText } from "@kubernaut/workflows";
import { formatTime } from "../format";

/** The stages of a remediation as operators think of them, in the order the pipeline runs them. */
export const STAGES = [
  { id: "signal", label: "Signal" },
  { id: "enrichment", label: "Enrichment" },
  { id: "analysis", label: "Analysis" },
  { id: "policy", label: "Policy" },
  { id: "approval", label: "Approval" },
  { id: "execution", label: "Execution" },
  { id: "rollout", label: "Rollout" },
  { id: "assessment", label: "Assessment" },
] as const;
export type StageId = (typeof STAGES)[number]["id"];

/**
 * The events that open or belong to a stage; anything else (phase changes, notes) joins the stage of
 * the event before it.
 */
const STAGE_OF: Record<string, StageId> = {
  RemediationCreated: "signal",
  TargetVerified: "enrichment",
  SignalProcessed: "enrichment",
  AnalysisCompleted: "analysis",
  PolicyEvaluated: "policy",
  ApprovalRequested: "approval",
  ApprovalDecided: "approval",
  WorkflowExecutionStarted: "execution",
  WorkflowExecuted: "execution",
  RolloutChecked: "rollout",
  EffectivenessAssessed: "assessment",
};

export type StageStatus = "done" | "current" | "waiting" | "skipped" | "not-reached";

export interface TimelineStage {
  id: StageId;
  label: string;
  status: StageStatus;
  events: AuditEvent[];
  /** From the end of the stage before (or its own first event) to its last event. */
  durationMs?: number;
}

export interface Timeline {
  stages: TimelineStage[];
  /** The remediation's creation: event offsets count from here. */
  startedAt: string;
  totalMs: number;
  final: boolean;
}

/**
 * Folds a remediation's audit chain into the eight stages, each with its events and how long it took.
 * The chain's order (its sequence) is the truth; event clocks come from different writers and may be a
 * few milliseconds out of order, so durations never go negative. A stage with no events is `skipped`
 * when a later stage ran (no approval was needed, say), `waiting` or `current` while the remediation is
 * still going, and `not-reached` once it has ended before getting there.
 */
export function buildTimeline(rr: RemediationRequest, audit: readonly AuditEvent[]): Timeline {
  const ordered = [...audit].sort((a, b) => a.seq - b.seq);
  const byStage = new Map<StageId, AuditEvent[]>();
  const indexOf = (id: StageId) => STAGES.findIndex((s) => s.id === id);
  let current: StageId = "signal";
  let executed = false;
  for (const event of ordered) {
    let stage = STAGE_OF[event.type];
    // A resolved alert after execution is evidence for the assessment, not a new signal.
    if (!stage && event.type === "SignalResolved" && executed) stage = "assessment";
    // Stages never go back: an event of an earlier stage (the policy re-evaluating an override during
    // approval) belongs to the stage it happened in, so reading the stages top to bottom reads the
    // chain in order.
    if (stage && indexOf(stage) < indexOf(current)) stage = current;
    if (stage === "execution") executed = true;
    current = stage ?? current;
    byStage.set(current, [...(byStage.get(current) ?? []), event]);
  }

  const final = isTerminal(rr.phase);
  const lastReached = STAGES.reduce((last, s, i) => (byStage.has(s.id) ? i : last), -1);
  let previousEnd = Date.parse(ordered[0]?.at ?? rr.createdAt);
  const stages = STAGES.map((stage, index): TimelineStage => {
    const events = byStage.get(stage.id) ?? [];
    if (events.length === 0) {
      const status: StageStatus = index < lastReached ? "skipped" : final ? "not-reached" : "waiting";
      return { id: stage.id, label: stage.label, status, events };
    }
    const end = Math.max(...events.map((e) => Date.parse(e.at)));
    const start = index === 0 ? Date.parse(events[0]?.at ?? rr.createdAt) : previousEnd;
    const durationMs = Math.max(0, end - start);
    previousEnd = Math.max(previousEnd, end);
    const status: StageStatus = index === lastReached && !final ? "current" : "done";
    return { id: stage.id, label: stage.label, status, events, durationMs };
  });
  const started = Date.parse(rr.createdAt);
  const ended = final ? Date.parse(rr.completedAt ?? rr.updatedAt) : previousEnd;
  return { stages, startedAt: rr.createdAt, totalMs: Math.max(0, ended - started), final };
}

/** One line per event, in words: what happened and who did it. */
export function describeEvent(event: AuditEvent): string {
  const d = (event.details ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : v === undefined ? "" : JSON.stringify(v));
  switch (event.type) {
    case "RemediationCreated": {
      const target = d.target as { kind?: string; name?: string; namespace?: string } | undefined;
      return `alert ${str(d.alertName)} on ${target?.kind ?? "?"} ${target?.namespace ? `${target.namespace}/` : ""}${target?.name ?? "?"}`;
    }
    case "SignalProcessed": {
      const e = (d.enrichment ?? {}) as Record<string, unknown>;
      return `${str(e.environment)}, ${str(e.severity)}, ${str(e.priority)}${d.managed === false ? ", not managed" : ""} (${str(e.environmentSource)})`;
    }
    case "TargetVerified":
      return `owner chain verified: ${str((d.verified as { kind?: string })?.kind)} ${str((d.verified as { name?: string })?.name)}`;
    case "AnalysisCompleted":
      return d.workflowId
        ? `selected ${str(d.workflowId)} at confidence ${Number(d.confidence ?? 0).toFixed(2)}${d.trustLevel ? ` (trust level ${str(d.trustLevel)})` : ""}`
        : `no workflow selected${d.reason ? `: ${str(d.reason)}` : ""}`;
    case "PolicyEvaluated":
      return `${d.requireApproval === false ? "auto-approved" : "approval required"}: ${str(d.reason)}${d.degraded ? " (degraded)" : ""}`;
    case "ApprovalRequested":
      return `approval requested${d.requiredBy ? `, decide by ${formatTime(str(d.requiredBy))}` : ""}`;
    case "ApprovalDecided":
      return `${str(d.decision)} by ${event.actor.id} via ${event.actor.channel ?? "?"}${d.rationale ? ` — ${str(d.rationale)}` : ""}${d.message ? ` — “${str(d.message)}”` : ""}`;
    case "WorkflowExecutionStarted":
      return `started ${str(d.workflowId)} with ${parametersText(str(d.workflowId), d.parameters as Record<string, unknown> | undefined)}`;
    case "WorkflowExecuted":
      return `${str(d.summary)}${d.alreadyApplied ? " (already applied by an earlier attempt)" : ""}`;
    case "RolloutChecked":
      return `${d.converged ? "rollout converged" : "rollout not converged yet"}: ${str(d.detail)}`;
    case "EffectivenessAssessed":
      // A null score is "not scored", never 0.00: nothing was measured.
      return `${typeof d.score === "number" ? "score " : ""}${describeEffectiveness({
        score: typeof d.score === "number" ? d.score : null,
        reason: str(d.reason),
        completeness: typeof d.completeness === "string" ? d.completeness : undefined,
      })} → ${str(d.outcome) || str(d.to)}`;
    case "SignalResolved":
      return "the alert resolved";
    case "PhaseChanged":
      return `${str(d.from)} → ${str(d.to)}${d.outcome ? ` (${str(d.outcome)})` : ""}${d.reason ? `: ${str(d.reason)}` : ""}`;
    default: {
      const detail = event.details ? JSON.stringify(event.details) : "";
      return detail.length > 200 ? `${detail.slice(0, 200)}…` : detail;
    }
  }
}
