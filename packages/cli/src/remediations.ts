import {
  type AuditEvent,
  describeEffectiveness,
  formatOffset,
  orderedTimeline,
  type RemediationRequest,
  verifyAuditChain,
} from "@kubernaut/core";
import { parametersText } from "@kubernaut/workflows";
import { apiTarget, call, option, positional } from "./http";

const target = (rr: RemediationRequest) => {
  const t = rr.targetResource;
  return `${t.kind} ${t.namespace ? `${t.namespace}/` : ""}${t.name}${t.cluster ? ` (cluster ${t.cluster})` : ""}`;
};

const state = (rr: RemediationRequest) => `${rr.phase}${rr.outcome ? `/${rr.outcome}` : ""}`;

/** What an event says, in a line: the details an operator reads first for each kind of event. */
export function eventText(event: AuditEvent): string {
  const d = (event.details ?? {}) as Record<string, unknown>;
  const s = (v: unknown) => (typeof v === "string" ? v : v === undefined ? "" : JSON.stringify(v));
  switch (event.type) {
    case "PhaseChanged":
      return `${s(d.from)} → ${s(d.to)}${d.outcome ? ` (${s(d.outcome)})` : ""}${d.reason ? `: ${s(d.reason)}` : ""}`;
    case "AnalysisCompleted":
      return d.workflowId
        ? `selected ${s(d.workflowId)} at confidence ${Number(d.confidence ?? 0).toFixed(2)}`
        : `no workflow selected${d.reason ? `: ${s(d.reason)}` : ""}`;
    case "PolicyEvaluated":
      return `${d.requireApproval === false ? "auto-approved" : "approval required"}: ${s(d.reason)}${d.degraded ? " (degraded)" : ""}`;
    case "ApprovalDecided":
      return `${s(d.decision)} by ${event.actor.id}${event.actor.channel ? ` via ${event.actor.channel}` : ""}${d.message ? `: ${s(d.message)}` : ""}`;
    case "WorkflowExecutionStarted":
      return `started ${s(d.workflowId)} with ${parametersText(s(d.workflowId), d.parameters as Record<string, unknown> | undefined)}`;
    case "WorkflowExecuted":
      return s(d.summary);
    case "EffectivenessAssessed":
      return `score ${Number(d.score ?? 0).toFixed(2)} (${s(d.reason)})`;
    default: {
      const text = event.details ? JSON.stringify(event.details) : "";
      return text.length > 140 ? `${text.slice(0, 140)}…` : text;
    }
  }
}

/**
 * A remediation as `kubernaut remediations show` prints it: what, where, why, what was (or would have
 * been) done, then the audit timeline in chain order with each event's offset — and, when a writer's
 * clock was behind, by how much, rather than silently re-sorting on timestamps.
 */
export function renderRemediation(rr: RemediationRequest, timeline: readonly AuditEvent[]): string[] {
  const lines = [
    `${rr.id}  ${state(rr)}  ${target(rr)}`,
    `  alert        ${rr.signal.alertName} (${rr.signal.severity})`,
  ];
  if (rr.reason) lines.push(`  reason       ${rr.reason}`);
  if (rr.enrichment) lines.push(`  environment  ${rr.enrichment.environment} · ${rr.enrichment.priority}`);
  if (rr.analysis) {
    lines.push(`  root cause   ${rr.analysis.rootCause}`);
    if (rr.analysis.workflowId)
      lines.push(
        `  workflow     ${rr.analysis.workflowId} at confidence ${rr.analysis.confidence.toFixed(2)} with ${parametersText(rr.analysis.workflowId, rr.analysis.parameters)}`,
      );
  }
  const decision = rr.approvalDecision;
  if (decision) {
    lines.push(
      `  decision     ${decision.decision} by ${decision.decidedBy} via ${decision.decidedVia} at ${decision.decidedAt}${decision.message ? `: ${decision.message}` : ""}`,
    );
    if (decision.override)
      lines.push(
        `               changed to ${decision.override.workflowName} with ${parametersText(decision.override.workflowName, decision.override.parameters)}: ${decision.override.rationale}`,
      );
  }
  if (rr.workflowExecution?.summary) lines.push(`  execution    ${rr.workflowExecution.summary}`);
  const change = (rr.wouldHaveDone as { change?: { calls?: Array<Record<string, unknown>> } } | undefined)
    ?.change;
  for (const request of change?.calls ?? [])
    lines.push(
      `  would send   ${String(request.method)} ${String(request.path)} ${JSON.stringify(request.body ?? "")}`,
    );
  if (rr.effectiveness)
    lines.push(`  assessed     ${describeEffectiveness(rr.effectiveness)} (${rr.effectiveness.reason})`);
  lines.push(`  fingerprint  ${rr.fingerprint}`, "", "Timeline (in audit-chain order):");
  const entries = orderedTimeline(timeline);
  const width = Math.max(...entries.map((e) => e.event.type.length), 0);
  for (const { event, offsetMs, skewMs } of entries) {
    lines.push(
      `  ${formatOffset(offsetMs).padStart(10)}  ${event.type.padEnd(width)}  ${eventText(event)}  [${event.actor.id}]${skewMs > 0 ? `  (its clock is ${skewMs} ms behind the event before)` : ""}`,
    );
  }
  const chain = verifyAuditChain([...timeline].sort((a, b) => a.seq - b.seq));
  lines.push(
    chain.ok
      ? `  audit chain intact (${timeline.length} events)`
      : `  audit chain BROKEN at event ${chain.seq}: ${chain.problem}`,
  );
  return lines;
}

const LIST_FILTERS = ["phase", "outcome", "namespace", "fingerprint", "limit", "cursor"] as const;

/** `kubernaut remediations list | show ID`. */
export async function remediationsCommand(args: string[], out: (line: string) => void): Promise<number> {
  const [sub, id] = positional(args);
  const api = apiTarget(args);
  switch (sub) {
    case "list": {
      const query = new URLSearchParams();
      for (const key of LIST_FILTERS) {
        const value = option(args, `--${key}`);
        if (value) query.set(key, value);
      }
      const text = query.toString();
      const page = await call<{ items: RemediationRequest[]; cursor?: string }>(
        api,
        "GET",
        `/api/v1/remediations${text ? `?${text}` : ""}`,
      );
      if (page.items.length === 0) out("no remediations match");
      for (const rr of page.items) {
        out(
          `${rr.id}  ${rr.createdAt}  ${state(rr).padEnd(22)}  ${target(rr)}  ${rr.signal.alertName}  ${rr.analysis?.workflowId ?? "-"}${rr.reason ? `  (${rr.reason})` : ""}`,
        );
      }
      if (page.cursor) out(`more: kubernaut remediations list --cursor ${page.cursor}`);
      return 0;
    }
    case "show": {
      if (!id) {
        out("usage: kubernaut remediations show ID");
        return 2;
      }
      const { remediation, timeline } = await call<{
        remediation: RemediationRequest;
        timeline: AuditEvent[];
      }>(api, "GET", `/api/v1/remediations/${encodeURIComponent(id)}`);
      for (const line of renderRemediation(remediation, timeline)) out(line);
      return 0;
    }
    default:
      out(
        "usage: kubernaut remediations list [--phase P] [--outcome O] [--namespace NS] [--fingerprint FP] [--limit N] | show ID",
      );
      return 2;
  }
}
