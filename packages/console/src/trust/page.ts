import { type GraduationRow, TRUST_LEVELS } from "@kubernaut/core";
import { BASE } from "../deps";
import { formatScore, formatTime } from "../format";
import { html, type SafeHtml } from "../html";
import { type Chrome, csrfField, page } from "../layout";
import { scoreChart } from "./chart";
import type { Ladder, LadderRow } from "./ladder";

function killSwitch(chrome: Chrome, admin: boolean): SafeHtml {
  const paused = chrome.paused;
  return html`<section class="card kill-switch" aria-labelledby="kill-switch-title">
<h2 id="kill-switch-title">Kill switch</h2>
<p data-testid="pause-state">${paused?.paused ? html`<strong>Paused</strong> by ${paused.by ?? "unknown"} since ${formatTime(paused.at)}: ${paused.reason ?? ""}` : "Execution is running: remediations that reach execution act on the cluster."}</p>
${
  admin &&
  (paused?.paused
    ? html`<form method="post" action="${BASE}/resume">${csrfField(chrome.csrf)}<button type="submit" class="primary">Resume execution</button></form>`
    : html`<form method="post" action="${BASE}/pause" class="inline-form">${csrfField(chrome.csrf)}
<label for="pause-reason">Reason</label><input id="pause-reason" name="reason" required maxlength="2000" autocomplete="off">
<button type="submit" class="danger">Pause all execution</button></form>`)
}
</section>`;
}

function recommendation(row: GraduationRow, workflowId: string, chrome: Chrome, admin: boolean): SafeHtml {
  const scope = row.namespace || "all namespaces";
  const verb = row.recommendation === "graduate" ? "Graduate" : "Demote";
  return html`<li class="recommendation rec-${row.recommendation}" data-namespace="${row.namespace}">
<p><strong>${scope}</strong>: at ${row.level}; <span data-testid="recommendation">${row.recommendation === "stay" ? "stay" : `${row.recommendation} to ${row.recommendedLevel}`}</span>
<span class="muted">— ${row.assessed} assessed, mean ${formatScore(row.meanScore)}, ${row.approvals} approved / ${row.rejections} rejected, ${row.dryRuns} dry run(s)</span></p>
<ul class="evidence">${row.evidence.map((e) => html`<li>${e}</li>`)}</ul>
${
  admin &&
  row.recommendation !== "stay" &&
  html`<form method="post" action="${BASE}/trust/${workflowId}">
${csrfField(chrome.csrf)}
<input type="hidden" name="level" value="${row.recommendedLevel}">
${row.namespace && html`<input type="hidden" name="namespaces" value="${row.namespace}">`}
<input type="hidden" name="reason" value="${`graduation report: ${row.evidence.join("; ")}`.slice(0, 2000)}">
<button type="submit" class="${row.recommendation === "graduate" ? "primary" : "danger"}">${verb} ${workflowId} to ${row.recommendedLevel}${row.namespace ? ` in ${row.namespace}` : ""}</button>
</form>`
}
</li>`;
}

function changeForm(row: LadderRow, chrome: Chrome): SafeHtml {
  const id = row.workflow.id;
  return html`<details class="change">
<summary>Change the trust level of ${id}</summary>
<form method="post" action="${BASE}/trust/${id}">
${csrfField(chrome.csrf)}
<div class="field"><label for="${id}-level">Level</label>
<select id="${id}-level" name="level">${TRUST_LEVELS.map((l) => html`<option value="${l}"${l === row.level ? html` selected` : ""}>${l}</option>`)}</select></div>
<div class="field"><label for="${id}-namespaces">Namespaces <span class="muted">(optional, comma-separated; empty changes the whole workflow)</span></label>
<input id="${id}-namespaces" name="namespaces" autocomplete="off"></div>
<div class="field"><label for="${id}-reason">Reason</label><input id="${id}-reason" name="reason" required maxlength="2000" autocomplete="off"></div>
<button type="submit">Change trust level</button>
</form>
</details>`;
}

function workflowCard(row: LadderRow, chrome: Chrome, admin: boolean): SafeHtml {
  const { workflow, stats } = row;
  const overrides = Object.entries(row.namespaces);
  const mean = stats.assessed ? stats.scoreSum / stats.assessed : undefined;
  return html`<li class="card" id="wf-${workflow.id}" data-workflow="${workflow.id}">
<article aria-labelledby="wf-${workflow.id}-title">
<h2 id="wf-${workflow.id}-title"><code>${workflow.id}</code> <span class="muted">${workflow.actionType}</span></h2>
<p><span class="badge level-${row.level}" data-testid="level">${row.level}</span>
${overrides.map(([ns, level]) => html` <span class="badge level-${level}" data-testid="level-${ns}">${ns}: ${level}</span>`)}
${row.changedBy && html` <span class="muted">changed by ${row.changedBy} ${formatTime(row.changedAt)}${row.reason ? `: ${row.reason}` : ""}</span>`}</p>
<div class="stats-chart">
<dl class="stats">
<dt>In effect</dt><dd data-testid="effective">${overrides.length > 0 ? "elsewhere: " : ""}${row.effective}${overrides.length > 0 && html`<ul class="effective">${Object.entries(row.namespaceEffective).map(([ns, text]) => html`<li data-testid="effective-${ns}">in ${ns}: ${text}</li>`)}</ul>`}</dd>
<dt>Remediations</dt><dd>${stats.remediations}</dd>
<dt>Assessed</dt><dd>${stats.assessed} (${stats.full} Full)</dd>
<dt>Mean score</dt><dd>${formatScore(mean)}</dd>
<dt>Approvals / rejections</dt><dd>${stats.approvals} / ${stats.rejections} (${stats.approvalsInRow} in a row)</dd>
<dt>Last failure</dt><dd>${stats.lastFailureAt ? `${formatTime(stats.lastFailureAt)}: ${stats.lastFailureReason ?? ""}` : "none"}</dd>
</dl>
${scoreChart(row.scores, workflow.id)}
</div>
${
  row.report.length > 0
    ? html`<h3>Graduation report</h3><ul class="report">${row.report.map((r) => recommendation(r, workflow.id, chrome, admin))}</ul>`
    : html`<p class="muted">Not selected by any retained remediation yet.</p>`
}
${admin && changeForm(row, chrome)}
</article>
</li>`;
}

/** What decides besides each workflow's level: the global dry-run switch and the approval policy. */
function ladderState(ladder: Ladder): SafeHtml {
  const { policy } = ladder;
  const name = policy.path ? (policy.path.split("/").at(-1) ?? policy.path) : undefined;
  return html`<section class="card" aria-labelledby="ladder-state-title">
<h2 id="ladder-state-title">In force</h2>
<dl class="facts">
<dt>Global dry run</dt><dd data-testid="global-dry-run">${ladder.globalDryRun ? html`<strong>on</strong> (<code>remediationOrchestrator.dryRun: true</code>): Level 1, nothing executes` : html`off (<code>remediationOrchestrator.dryRun: false</code>): each workflow's level decides`}</dd>
<dt>Approval policy</dt><dd data-testid="active-policy">${
    !policy.path
      ? html`none configured (<code>aianalysis.rego.policy</code>): every remediation that is not dry-run asks for approval`
      : policy.hash
        ? html`<code title="${policy.path}">${name}</code> sha256 <code title="${policy.hash}">${policy.hash.slice(0, 12)}</code> loaded ${formatTime(policy.loadedAt)}${policy.error ? html` <strong class="warn">(the file on disk is refused, this version is kept: ${policy.error})</strong>` : ""}`
        : html`<code title="${policy.path}">${name}</code> <strong class="warn">unusable: ${policy.error ?? "not loaded"}</strong>; every remediation asks for approval (degraded)`
  }</dd>
</dl>
</section>`;
}

/** The trust ladder: the kill switch, then each workflow's level, statistics, chart and recommendation. */
export function trustPage(
  ladder: Ladder,
  chrome: Chrome,
  notice?: { kind: "success" | "error"; text: string },
): SafeHtml {
  const admin = chrome.caller?.role === "admin";
  const body = html`${killSwitch(chrome, admin)}
${ladderState(ladder)}
${ladder.globalDryRun && html`<p class="banner" role="note">Level 1 (observe) is on for everything: <code>remediationOrchestrator.dryRun</code> is true, so every workflow ends DryRun whatever its level.</p>`}
${!admin && html`<p class="muted">Graduating, demoting and the kill switch need an admin.</p>`}
<ol class="ladder" aria-label="Workflows">${ladder.rows.map((row) => workflowCard(row, chrome, admin))}</ol>`;
  return page({ ...chrome, title: "Trust ladder", section: "trust", body, notice });
}
