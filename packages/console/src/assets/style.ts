/** The console's stylesheet: system fonts, readable contrast, and a focus ring nobody can miss. */
export const CONSOLE_CSS = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d0d7de; --bg: #ffffff; --panel: #f6f8fa;
  --accent: #0969da; --danger: #cf222e; --ok: #1a7f37; --warn: #9a6700; --focus: #fb8500; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.92em; }
pre { background: var(--panel); border: 1px solid var(--line); padding: 0.75rem; overflow: auto; max-height: 24rem; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip-link { position: absolute; left: 0.5rem; top: -3rem; background: var(--fg); color: #fff; padding: 0.5rem 1rem; z-index: 10; }
.skip-link:focus { top: 0.5rem; }
.masthead { display: flex; flex-wrap: wrap; align-items: center; gap: 1.5rem; padding: 0.6rem 1.5rem; border-bottom: 1px solid var(--line); background: var(--panel); }
.brand { margin: 0; font-weight: 700; }
.brand a { color: var(--fg); text-decoration: none; }
nav ul { list-style: none; display: flex; gap: 1rem; margin: 0; padding: 0; }
nav a[aria-current="page"] { font-weight: 700; text-decoration: underline 3px; }
.who { margin-left: auto; display: flex; align-items: center; gap: 0.75rem; }
.who form { margin: 0; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
main:focus { outline: none; }
h1 { font-size: 1.6rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 0 0 0.5rem; }
h3 { font-size: 1rem; margin: 0.75rem 0 0.25rem; }
.muted { color: var(--muted); }
.warn { color: var(--warn); }
.banner { margin: 0; padding: 0.6rem 1.5rem; background: #fff8c5; border-bottom: 1px solid #d4a72c; }
.banner-paused { background: #ffebe9; border-bottom-color: var(--danger); }
.notice { padding: 0.6rem 0.9rem; border-radius: 6px; border: 1px solid; }
.notice-success { background: #dafbe1; border-color: var(--ok); }
.notice-error { background: #ffebe9; border-color: var(--danger); }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.25rem; margin: 0 0 1rem; background: var(--bg); }
ol.queue, ol.ladder { list-style: none; padding: 0; margin: 0; }
.meta { margin: 0 0 0.5rem; color: var(--muted); }
.badge { display: inline-block; padding: 0 0.5rem; border-radius: 999px; border: 1px solid var(--line); background: var(--panel); font-size: 0.85em; font-weight: 600; color: var(--fg); }
.env-production, .phase-failed, .phase-blocked, .outcome-manualreviewrequired { background: #ffebe9; border-color: var(--danger); }
.phase-completed, .outcome-remediated, .level-automate { background: #dafbe1; border-color: var(--ok); }
.phase-awaitingapproval, .outcome-dryrun, .dry-run, .level-observe { background: #fff8c5; border-color: #d4a72c; }
.deadline.urgent { color: var(--danger); font-weight: 700; }
dl.facts, dl.stats { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0.5rem 0; }
dl dt { font-weight: 600; }
dl dd { margin: 0; }
ul.params { list-style: none; margin: 0; padding: 0; }
form.decide { display: flex; flex-wrap: wrap; align-items: end; gap: 0.5rem 1rem; margin-top: 0.75rem; }
.actions { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
label { display: block; font-weight: 600; }
input, select, textarea { font: inherit; padding: 0.35rem 0.5rem; border: 1px solid #8c959f; border-radius: 6px; min-width: 12rem; }
textarea { width: 100%; max-width: 40rem; }
button, .button { font: inherit; display: inline-block; padding: 0.4rem 0.9rem; border-radius: 6px; border: 1px solid #8c959f; background: var(--panel); color: var(--fg); cursor: pointer; text-decoration: none; }
button.primary { background: var(--ok); border-color: var(--ok); color: #fff; }
button.danger { background: var(--danger); border-color: var(--danger); color: #fff; }
button.link { border: none; background: none; color: var(--accent); text-decoration: underline; padding: 0; }
.field { margin: 0 0 0.9rem; }
.hint { margin: 0 0 0.25rem; color: var(--muted); font-size: 0.9em; }
.error { margin: 0 0 0.25rem; color: var(--danger); font-weight: 600; }
.field-error input, .field-error select, .field-error textarea { border: 2px solid var(--danger); }
.error-summary { border: 3px solid var(--danger); padding: 0.75rem 1rem; margin: 0 0 1rem; border-radius: 6px; }
fieldset { border: 1px solid var(--line); border-radius: 6px; margin: 1rem 0; padding: 0.75rem 1rem; }
.inline-form { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; margin: 0.5rem 0; }
.filters { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: end; margin-bottom: 1rem; }
table.list { width: 100%; border-collapse: collapse; }
table.list caption { text-align: left; color: var(--muted); padding-bottom: 0.25rem; }
table.list th, table.list td { text-align: left; padding: 0.4rem 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td.reason { max-width: 24rem; color: var(--muted); }
.pager { display: flex; gap: 1rem; margin-top: 1rem; }
.status { font-size: 1.05rem; }
.panels { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1rem; margin: 1rem 0; }
.panel { border: 1px solid var(--line); border-radius: 8px; padding: 0.75rem 1rem; background: var(--panel); }
ol.timeline { list-style: none; padding: 0; margin: 0; border-left: 3px solid var(--line); }
.stage { padding: 0.25rem 0 0.5rem 1rem; position: relative; }
.stage::before { content: ""; position: absolute; left: -0.55rem; top: 0.95rem; width: 0.8rem; height: 0.8rem; border-radius: 50%; background: var(--line); }
.stage-done::before { background: var(--ok); }
.stage-current::before { background: var(--focus); }
.stage-skipped h3, .stage-not-reached h3, .stage-waiting h3 { color: var(--muted); font-weight: 500; }
.stage-status { font-weight: 400; color: var(--muted); font-size: 0.9em; }
.duration { font-weight: 400; font-size: 0.9em; }
ol.events { list-style: none; padding: 0; margin: 0; }
.event { display: grid; grid-template-columns: 5.5rem 14.5rem 1fr auto; gap: 0.5rem; padding: 0.1rem 0; font-size: 0.92em; }
.event-type { font-family: ui-monospace, monospace; color: var(--muted); }
.actor { color: var(--muted); }
.stats-chart { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: center; }
ul.report { list-style: none; padding: 0; }
.recommendation { border-top: 1px solid var(--line); padding-top: 0.5rem; }
ul.evidence { margin: 0.25rem 0 0.5rem; }
details.change { margin-top: 0.75rem; }
details.change summary { cursor: pointer; color: var(--accent); }
.sign-in { max-width: 32rem; }
.empty { padding: 2rem; text-align: center; border: 1px dashed var(--line); border-radius: 8px; color: var(--muted); }
@media (max-width: 40rem) { .event { grid-template-columns: 1fr; } }
`;
