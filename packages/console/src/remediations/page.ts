import {
  type AuditEvent,
  assessmentBasis,
  describeComponents,
  formatOffset,
  OUTCOMES,
  orderedTimeline,
  PHASES,
  type RemediationRequest,
  verifyAuditChain,
} from "@kubernaut/core";
import { displayParameters } from "@kubernaut/workflows";
import { BASE } from "../deps";
import { formatDuration, formatScore, formatTime, shortHash } from "../format";
import { html, type SafeHtml } from "../html";
import { type Chrome, page } from "../layout";
import { type ListFilter, type ListPage, workflowOf } from "./list";
import { buildTimeline, describeEvent, type TimelineStage } from "./timeline";

function target(rr: RemediationRequest): string {
  const t = rr.targetResource;
  return `${t.kind} ${t.namespace ? `${t.namespace}/` : ""}${t.name}`;
}

function phaseBadge(rr: RemediationRequest): SafeHtml {
  return html`<span class="badge phase-${rr.phase.toLowerCase()}">${rr.phase}</span>${rr.outcome && html` <span class="badge outcome-${rr.outcome.toLowerCase()}">${rr.outcome}</span>`}`;
}

function query(filter: ListFilter, cursor?: string): string {
  const params = new URLSearchParams();
  for (const key of ["phase", "outcome", "namespace", "workflow"] as const) {
    const value = filter[key];
    if (value) params.set(key, value);
  }
  if (cursor) params.set("cursor", cursor);
  const text = params.toString();
  return text ? `?${text}` : "";
}

function select(
  id: string,
  name: string,
  label: string,
  options: readonly string[],
  value: string | undefined,
) {
  return html`<div class="field"><label for="${id}">${label}</label>
<select id="${id}" name="${name}"><option value="">any</option>${options.map(
    (option) => html`<option value="${option}"${option === value ? html` selected` : ""}>${option}</option>`,
  )}</select></div>`;
}

/** The remediation list: filters (a plain GET form, so filtered views are links), the table, paging. */
export function listPage(
  result: ListPage,
  filter: ListFilter,
  workflows: readonly string[],
  chrome: Chrome,
  notice?: { kind: "success" | "error"; text: string },
): SafeHtml {
  const workflowOptions =
    filter.workflow && !workflows.includes(filter.workflow) ? [...workflows, filter.workflow] : workflows;
  const rows = result.items.map(
    (rr) => html`<tr>
<td><time datetime="${rr.createdAt}">${formatTime(rr.createdAt)}</time></td>
<td><a href="${BASE}/remediations/${rr.id}">${target(rr)}</a></td>
<td>${rr.signal.alertName}</td>
<td>${phaseBadge(rr)}</td>
<td>${workflowOf(rr) ?? html`<span class="muted">—</span>`}</td>
<td class="reason">${rr.reason ?? ""}</td>
</tr>`,
  );
  const body = html`<form method="get" action="${BASE}/remediations" class="filters" role="search" aria-label="Filter remediations">
${select("filter-phase", "phase", "Phase", PHASES, filter.phase)}
${select("filter-outcome", "outcome", "Outcome", OUTCOMES, filter.outcome)}
<div class="field"><label for="filter-namespace">Namespace</label><input id="filter-namespace" name="namespace" value="${filter.namespace ?? ""}" autocomplete="off"></div>
${select("filter-workflow", "workflow", "Workflow", workflowOptions, filter.workflow)}
<div class="actions"><button type="submit">Filter</button> <a class="button" href="${BASE}/remediations">Clear filters</a></div>
</form>
${
  result.items.length === 0
    ? html`<p class="empty" data-testid="list-empty">No remediations match.</p>`
    : html`<table class="list" data-testid="remediation-list">
<caption>Remediations, newest first${filter.cursor ? " (a later page)" : ""}</caption>
<thead><tr><th scope="col">Created</th><th scope="col">Target</th><th scope="col">Alert</th><th scope="col">Phase / outcome</th><th scope="col">Workflow</th><th scope="col">Reason</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
}
${result.partial && html`<p class="muted">Only part of the history was searched for this workflow; the next page continues.</p>`}
<nav aria-label="Pages" class="pager">
${filter.cursor && html`<a href="${BASE}/remediations${query(filter)}">First page</a>`}
${result.cursor && html`<a href="${BASE}/remediations${query(filter, result.cursor)}" rel="next">Next page</a>`}
</nav>`;
  return page({ ...chrome, title: "Remediations", section: "remediations", body, notice });
}

/**
 * One event, at its offset by its own clock. Events are listed in chain order; when a writer's clock
 * was behind the event before, the offset runs backwards and the line says by how much.
 */
function eventLine(event: AuditEvent, startedAt: number, skewMs: number): SafeHtml {
  const offset = Date.parse(event.at) - startedAt;
  return html`<li class="event" data-event="${event.type}">
<time datetime="${event.at}" title="${formatTime(event.at)}">${formatOffset(offset)}</time>${skewMs > 0 && html` <span class="skew muted" data-testid="skew">(its clock is ${skewMs} ms behind the event before)</span>`}
<span class="event-type">${event.type}</span>
<span class="event-text">${describeEvent(event)}</span>
<span class="actor">${event.actor.id}${event.actor.channel ? ` · ${event.actor.channel}` : ""}</span>
</li>`;
}

const STATUS_TEXT: Record<TimelineStage["status"], string> = {
  done: "done",
  current: "in progress",
  waiting: "waiting",
  skipped: "not needed",
  "not-reached": "not reached",
};

function stageItem(stage: TimelineStage, startedAt: number, skews: ReadonlyMap<number, number>): SafeHtml {
  return html`<li class="stage stage-${stage.status}" data-stage="${stage.id}" data-status="${stage.status}">
<h3>${stage.label} <span class="stage-status">${STATUS_TEXT[stage.status]}</span>${stage.durationMs !== undefined && html` <span class="duration">${formatDuration(stage.durationMs)}</span>`}</h3>
${stage.events.length > 0 && html`<ol class="events">${stage.events.map((e) => eventLine(e, startedAt, skews.get(e.seq) ?? 0))}</ol>`}
</li>`;
}

function panels(rr: RemediationRequest): SafeHtml {
  const execution = rr.workflowExecution;
  const decision = rr.approvalDecision;
  const hashChanged = execution?.preHash && execution.postHash && execution.preHash !== execution.postHash;
  return html`<div class="panels">
${
  decision &&
  html`<section class="panel" aria-labelledby="panel-decision"><h2 id="panel-decision">Decision</h2>
<p data-testid="decision">${decision.decision} by <strong>${decision.decidedBy}</strong> via ${decision.decidedVia} at ${formatTime(decision.decidedAt)}</p>
${decision.message && html`<p>“${decision.message}”</p>`}
${decision.override && html`<p>Changed to <code>${decision.override.workflowName}</code> with ${Object.entries(displayParameters(decision.override.workflowName, decision.override.parameters)).map(([k, v]) => html`<code>${k} = ${v}</code> `)} — ${decision.override.rationale}</p>`}
</section>`
}
${
  execution &&
  html`<section class="panel" aria-labelledby="panel-execution"><h2 id="panel-execution">Execution</h2>
<p><code>${execution.workflowId}</code> ${execution.workflowVersion} with ${Object.entries(displayParameters(execution.workflowId, execution.parameters)).map(([k, v]) => html`<code>${k} = ${v}</code> `)}</p>
${execution.summary && html`<p>${execution.summary}</p>`}
<p data-testid="spec-hash">Spec hash <code title="${execution.preHash ?? ""}">${shortHash(execution.preHash)}</code> → <code title="${execution.postHash ?? ""}">${shortHash(execution.postHash)}</code> ${hashChanged ? html`<strong>changed</strong>` : html`<span class="muted">unchanged</span>`}</p>
${execution.rollout && html`<p>Rollout: ${execution.rollout}</p>`}
</section>`
}
${
  rr.wouldHaveDone &&
  html`<section class="panel" aria-labelledby="panel-dryrun"><h2 id="panel-dryrun">What it would have done</h2>
<p>Nothing was changed (${rr.reason ?? "dry run"}). The workflow, its absolute parameters and the exact request it would have sent:</p>
<pre data-testid="would-have-done" tabindex="0" aria-label="The change it would have sent"><code>${JSON.stringify(rr.wouldHaveDone, null, 2)}</code></pre>
</section>`
}
${
  rr.effectiveness &&
  html`<section class="panel" aria-labelledby="panel-effectiveness"><h2 id="panel-effectiveness">Effectiveness</h2>
<p data-testid="effectiveness">Score <strong>${rr.effectiveness.score === null ? "not scored" : formatScore(rr.effectiveness.score)}</strong>, ${assessmentBasis(rr.effectiveness)}</p>
<p class="muted">Assessment ${rr.effectiveness.reason}, ${formatTime(rr.effectiveness.assessedAt)}</p>
<ul>${describeComponents(rr.effectiveness).map((line) => html`<li>${line}</li>`)}</ul>
</section>`
}
</div>`;
}

/** An ETag for the live view: the audit chain's head changes with every write to the remediation. */
export function liveTag(audit: readonly AuditEvent[]): string {
  const head = audit.reduce<AuditEvent | undefined>((h, e) => (!h || e.seq > h.seq ? e : h), undefined);
  return `"${audit.length}-${head?.hash.slice(0, 16) ?? "none"}"`;
}

/**
 * The part of the timeline page that changes while a remediation runs. The console's script polls it
 * with If-None-Match (a 304 costs one Query and no rendering) and swaps it in; without scripts the
 * Refresh link does the same. Polling rather than a held-open stream works identically behind API
 * Gateway and Lambda, which buffer responses, and on the local loop.
 */
export function liveFragment(rr: RemediationRequest, audit: readonly AuditEvent[]): SafeHtml {
  const timeline = buildTimeline(rr, audit);
  const started = Date.parse(timeline.startedAt);
  const skews = new Map(orderedTimeline(audit).map((entry) => [entry.event.seq, entry.skewMs]));
  const chain = verifyAuditChain([...audit].sort((a, b) => a.seq - b.seq));
  return html`<div id="live" data-live-url="${BASE}/remediations/${rr.id}/live" data-etag="${liveTag(audit)}" data-final="${timeline.final ? "true" : "false"}">
<p class="status" role="status" data-testid="status">${phaseBadge(rr)} ${rr.reason && html`<span class="reason">${rr.reason}</span>`} <span class="muted">${timeline.final ? "took" : "running for"} ${formatDuration(timeline.totalMs)}</span>
${!timeline.final && html` <a href="${BASE}/remediations/${rr.id}" class="refresh">Refresh</a>`}</p>
${panels(rr)}
<section aria-labelledby="timeline-title">
<h2 id="timeline-title">Timeline</h2>
<ol class="timeline" data-testid="timeline">${timeline.stages.map((s) => stageItem(s, started, skews))}</ol>
<p class="muted" data-testid="chain">${chain.ok ? `Audit hash chain intact (${audit.length} events).` : `Audit hash chain broken at event ${chain.seq}: ${chain.problem}.`}</p>
</section>
</div>`;
}

/** One remediation: what it is about, then the live part. */
export function detailPage(
  rr: RemediationRequest,
  audit: readonly AuditEvent[],
  chrome: Chrome,
  notice?: { kind: "success" | "error"; text: string },
): SafeHtml {
  const body = html`<dl class="facts summary">
<dt>Target</dt><dd>${target(rr)}${rr.targetResource.cluster && ` in cluster ${rr.targetResource.cluster}`}</dd>
<dt>Alert</dt><dd>${rr.signal.alertName} (${rr.signal.severity})</dd>
<dt>Environment</dt><dd>${rr.enrichment?.environment ?? "—"}${rr.enrichment && ` · ${rr.enrichment.priority}`}</dd>
${rr.analysis && html`<dt>Root cause</dt><dd>${rr.analysis.rootCause}</dd>`}
<dt>Created</dt><dd><time datetime="${rr.createdAt}">${formatTime(rr.createdAt)}</time></dd>
<dt>Id</dt><dd><code>${rr.id}</code></dd>
<dt>Fingerprint</dt><dd><code title="${rr.fingerprint}">${shortHash(rr.fingerprint)}</code></dd>
</dl>
${liveFragment(rr, audit)}`;
  return page({ ...chrome, title: target(rr), section: "remediations", body, notice });
}
