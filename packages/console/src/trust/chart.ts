import { formatScore } from "../format";
import { html, type SafeHtml } from "../html";

const WIDTH = 200;
const HEIGHT = 48;
const PAD = 4;

/**
 * A small line chart of effectiveness scores over time (0 at the bottom, 1 at the top, a dashed line
 * at 0.5 — below it an assessment counts against the workflow). Inline SVG with presentation
 * attributes only, so it needs no script and no inline style under the console's CSP; the numbers a
 * screen reader needs are in its label.
 */
export function scoreChart(points: ReadonlyArray<{ at: string; score: number }>, name: string): SafeHtml {
  if (points.length === 0) return html`<p class="muted chart-empty">No assessed remediations yet.</p>`;
  const mean = points.reduce((sum, p) => sum + p.score, 0) / points.length;
  const latest = points[points.length - 1]?.score;
  const label = `Effectiveness scores of ${name} over time: ${points.length} assessment${points.length === 1 ? "" : "s"}, latest ${formatScore(latest)}, mean ${formatScore(mean)}`;
  const x = (i: number) =>
    points.length === 1 ? WIDTH / 2 : PAD + (i * (WIDTH - 2 * PAD)) / (points.length - 1);
  const y = (score: number) => PAD + (1 - Math.min(1, Math.max(0, score))) * (HEIGHT - 2 * PAD);
  const coordinates = points.map((p, i) => `${x(i).toFixed(1)},${y(p.score).toFixed(1)}`).join(" ");
  return html`<svg class="chart" role="img" aria-label="${label}" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" data-testid="score-chart">
<title>${label}</title>
<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#f6f8fa" stroke="#d0d7de"/>
<line x1="${PAD}" x2="${WIDTH - PAD}" y1="${y(0.5)}" y2="${y(0.5)}" stroke="#8c959f" stroke-dasharray="3 3"/>
${points.length > 1 && html`<polyline points="${coordinates}" fill="none" stroke="#0969da" stroke-width="2"/>`}
${points.map((p, i) => html`<circle cx="${x(i).toFixed(1)}" cy="${y(p.score).toFixed(1)}" r="3" fill="${p.score < 0.5 ? "#cf222e" : "#0969da"}"><title>${p.at}: ${formatScore(p.score)}</title></circle>`)}
</svg>`;
}
