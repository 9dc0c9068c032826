import { NO_POLICY_REASON } from "@kubernaut/policy";
import {
  displayParameters,
  formatQuantity,
  type ParameterSpec,
  type WorkflowDefinition,
} from "@kubernaut/workflows";
import { BASE } from "../deps";
import { shortHash, timeRemaining } from "../format";
import { html, type SafeHtml } from "../html";
import { type Chrome, csrfField, page } from "../layout";
import { type FieldErrors, type FormValues, paramField, RATIONALE_FIELD } from "./form";
import type { QueueItem } from "./queue";

function targetName(item: QueueItem): string {
  const target = item.remediation?.targetResource;
  if (!target) return item.approval.remediationId;
  return `${target.kind} ${target.namespace ? `${target.namespace}/` : ""}${target.name}`;
}

function parameterList(
  workflow: WorkflowDefinition | undefined,
  parameters: Record<string, unknown> | undefined,
): SafeHtml {
  const entries = Object.entries(displayParameters(workflow, parameters));
  if (entries.length === 0) return html`<span class="muted">none</span>`;
  return html`<ul class="params">${entries.map(
    ([name, value]) => html`<li><code>${name}</code> = <code>${value}</code></li>`,
  )}</ul>`;
}

/**
 * Why a request waits: the policy's reason with the hash of the policy that gave it; with no policy
 * configured that is the documented default (every remediation asks), not a degraded policy, and it
 * is said so; an unusable policy is flagged as degraded.
 */
function policyReason(approval: QueueItem["approval"]): SafeHtml {
  if (approval.reason === NO_POLICY_REASON)
    return html`No approval policy is configured (<code>aianalysis.rego.policy</code>), so every remediation asks for approval.`;
  return html`${approval.reason}${approval.degraded ? html` <strong class="warn">(policy degraded: approval required by default)</strong>` : ""}${approval.policyHash && html` <span class="muted" title="${approval.policyHash}">policy ${shortHash(approval.policyHash)}</span>`}`;
}

/** What an approver reads before deciding: target, environment, deadline, root cause, choice, policy. */
export function requestFacts(item: QueueItem, now: Date, headingId: string, level: 2 | 3 = 2): SafeHtml {
  const { approval, remediation } = item;
  const analysis = remediation?.analysis;
  const remaining = timeRemaining(approval.requiredBy, now);
  const heading = html`<a href="${BASE}/remediations/${approval.remediationId}">${targetName(item)}</a>`;
  return html`${level === 2 ? html`<h2 id="${headingId}">${heading}</h2>` : html`<h3 id="${headingId}">${heading}</h3>`}
<p class="meta">
<span class="badge env-${approval.environment.toLowerCase()}">${approval.environment}</span>
${remediation && html`<span>${remediation.signal.alertName}</span> · <span>${remediation.enrichment?.severity ?? remediation.signal.severity}</span>${remediation.enrichment && html` · <span>${remediation.enrichment.priority}</span>`}`}
· <span class="${remaining.urgent ? "deadline urgent" : "deadline"}">Decide by <time datetime="${approval.requiredBy}" data-deadline="${approval.requiredBy}">${remaining.text}</time></span>
</p>
<dl class="facts">
<dt>Root cause</dt><dd data-testid="root-cause">${analysis?.rootCause ?? "—"}</dd>
<dt>Workflow</dt><dd data-testid="workflow">${item.workflow ? html`<code>${item.workflow.id}</code> (${item.workflow.actionType}, ${item.workflow.blastRadius})` : (approval.workflowId ?? "—")}${analysis && html` at confidence ${analysis.confidence.toFixed(2)}`}</dd>
<dt>Parameters</dt><dd data-testid="parameters">${parameterList(item.workflow, analysis?.parameters)}</dd>
<dt>Why approval is required</dt><dd data-testid="policy-reason">${policyReason(approval)}</dd>
</dl>`;
}

/**
 * One request with its decision controls. The buttons are described by the request's heading, so a
 * screen reader says which request "Approve" decides; the message is a textarea so that Enter in it
 * starts a line instead of submitting the form with its first button, which approves.
 */
function queueCard(item: QueueItem, csrf: string | undefined, now: Date): SafeHtml {
  const id = item.approval.id;
  const headingId = `${id}-title`;
  return html`<li class="card" data-approval="${id}">
<article aria-labelledby="${headingId}">
${requestFacts(item, now, headingId)}
<form method="post" action="${BASE}/approvals/${id}/decision" class="decide">
${csrfField(csrf)}
<label for="${id}-message">Message <span class="muted">(optional)</span></label>
<textarea id="${id}-message" name="message" rows="2" maxlength="2000" aria-describedby="${headingId}"></textarea>
<div class="actions">
<button type="submit" name="decision" value="Approved" class="primary" aria-describedby="${headingId}">Approve</button>
<button type="submit" name="decision" value="Rejected" class="danger" aria-describedby="${headingId}">Reject</button>
<a class="button" href="${BASE}/approvals/${id}" aria-describedby="${headingId}">Approve with changes</a>
</div>
</form>
</article>
</li>`;
}

/** The approval queue: every pending request as a card with its decision controls, soonest deadline first. */
export function queuePage(
  items: readonly QueueItem[],
  chrome: Chrome,
  now: Date,
  notice?: { kind: "success" | "error"; text: string },
): SafeHtml {
  const body =
    items.length === 0
      ? html`<p class="empty" data-testid="queue-empty">No approval requests are waiting.</p>`
      : html`<p class="muted">${items.length} request${items.length === 1 ? "" : "s"} waiting, soonest deadline first.</p>
<ol class="queue" aria-label="Pending approval requests">${items.map((item) => queueCard(item, chrome.csrf, now))}</ol>`;
  return page({ ...chrome, title: "Approval queue", section: "approvals", body, notice });
}

function hint(spec: ParameterSpec): string {
  const parts = [spec.description];
  const bound = (value: number) => (spec.type === "quantity" ? formatQuantity(value) : String(value));
  if (spec.type === "quantity") parts.push("a Kubernetes quantity such as 768Mi or 1Gi");
  if (spec.minimum !== undefined) parts.push(`at least ${bound(spec.minimum)}`);
  if (spec.maximum !== undefined) parts.push(`at most ${bound(spec.maximum)}`);
  if (spec.enum) parts.push(`one of ${spec.enum.join(", ")}`);
  parts.push(spec.required ? "required" : "optional");
  return parts.join(" · ");
}

/** One input generated from a parameter's schema, with its hint and error tied to it for screen readers. */
function parameterInput(
  name: string,
  spec: ParameterSpec,
  value: string | undefined,
  error?: string,
): SafeHtml {
  const id = `param-${name}`;
  const describedBy = [`${id}-hint`, error ? `${id}-error` : ""].filter(Boolean).join(" ");
  const common = html`id="${id}" name="${paramField(name)}" aria-describedby="${describedBy}"${error ? html` aria-invalid="true"` : ""}${spec.required ? html` required` : ""}`;
  let control: SafeHtml;
  if (spec.type === "boolean" || spec.enum) {
    const options = spec.type === "boolean" ? ["true", "false"] : (spec.enum ?? []);
    control = html`<select ${common}>${spec.required ? "" : html`<option value="">(default)</option>`}${options.map(
      (option) =>
        html`<option value="${option}"${option === value ? html` selected` : ""}>${option}</option>`,
    )}</select>`;
  } else if (spec.type === "integer" || spec.type === "number") {
    control = html`<input type="number" inputmode="${spec.type === "integer" ? "numeric" : "decimal"}" step="${spec.type === "integer" ? "1" : "any"}"${spec.minimum !== undefined ? html` min="${spec.minimum}"` : ""}${spec.maximum !== undefined ? html` max="${spec.maximum}"` : ""} value="${value ?? ""}" ${common}>`;
  } else {
    control = html`<input type="text" value="${value ?? ""}" autocomplete="off" ${common}>`;
  }
  return html`<div class="field${error ? " field-error" : ""}">
<label for="${id}"><code>${name}</code></label>
<p class="hint" id="${id}-hint">${hint(spec)}</p>
${error && html`<p class="error" id="${id}-error" data-testid="error-${name}">${name}: ${error}</p>`}
${control}
</div>`;
}

export interface ChangesForm {
  item: QueueItem;
  workflow: WorkflowDefinition;
  /** Workflows the operator may switch to (those that act on this kind of target). */
  alternatives: readonly WorkflowDefinition[];
  values: FormValues;
  errors: FieldErrors;
}

/**
 * Approve with changes: a form generated from the chosen workflow's parameter schema, the proposed values
 * filled in. It is submitted without the browser's own range checks (`novalidate`), so what the server
 * says — the same validation as the API — is what the operator sees, by field, with a summary that links
 * to each field.
 */
export function changesPage(form: ChangesForm, chrome: Chrome, now: Date): SafeHtml {
  const { item, workflow, values, errors } = form;
  const id = item.approval.id;
  const problems = Object.entries(errors);
  const fieldHref = (name: string) =>
    name === RATIONALE_FIELD ? "#rationale" : name ? `#param-${name}` : "#changes-form";
  const body = html`<section class="card" aria-labelledby="${id}-title">
${requestFacts(item, now, `${id}-title`)}
</section>
${
  problems.length > 0 &&
  html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary" data-testid="error-summary">
<h2>Nothing was changed: fix ${problems.length === 1 ? "this" : "these"} first</h2>
<ul>${problems.map(([name, message]) => html`<li><a href="${fieldHref(name)}">${name ? `${name}: ` : ""}${message}</a></li>`)}</ul>
</div>`
}
${
  form.alternatives.length > 1 &&
  html`<form method="get" action="${BASE}/approvals/${id}" class="inline-form">
<label for="workflow-choice">Workflow</label>
<select id="workflow-choice" name="workflow">${form.alternatives.map(
    (w) =>
      html`<option value="${w.id}"${w.id === workflow.id ? html` selected` : ""}>${w.id} (${w.actionType})</option>`,
  )}</select>
<button type="submit">Show its parameters</button>
</form>`
}
<form method="post" action="${BASE}/approvals/${id}/changes" id="changes-form" novalidate>
${csrfField(chrome.csrf)}
<input type="hidden" name="workflow" value="${workflow.id}">
<fieldset>
<legend>Parameters of <code>${workflow.id}</code></legend>
${Object.entries(workflow.parameters).map(([name, spec]) => parameterInput(name, spec, values[paramField(name)], errors[name]))}
${Object.keys(workflow.parameters).length === 0 && html`<p class="muted">This workflow takes no parameters.</p>`}
</fieldset>
<div class="field${errors[RATIONALE_FIELD] ? " field-error" : ""}">
<label for="rationale">Why these changes</label>
<p class="hint" id="rationale-hint">Kept in the audit trail next to the proposed and approved parameters · required</p>
${errors[RATIONALE_FIELD] && html`<p class="error" id="rationale-error" data-testid="error-rationale">rationale: ${errors[RATIONALE_FIELD]}</p>`}
<textarea id="rationale" name="${RATIONALE_FIELD}" rows="3" maxlength="2000" required aria-describedby="rationale-hint${errors[RATIONALE_FIELD] ? " rationale-error" : ""}"${errors[RATIONALE_FIELD] ? html` aria-invalid="true"` : ""}>${values[RATIONALE_FIELD] ?? ""}</textarea>
</div>
<div class="field">
<label for="message">Message <span class="muted">(optional)</span></label>
<input id="message" name="message" maxlength="2000" autocomplete="off" value="${values.message ?? ""}">
</div>
<div class="actions">
<button type="submit" class="primary">Approve with these parameters</button>
<a class="button" href="${BASE}/approvals">Back to the queue</a>
</div>
</form>`;
  return page({ ...chrome, title: "Approve with changes", section: "approvals", body });
}
