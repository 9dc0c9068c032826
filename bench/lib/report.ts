import type { Spread } from "./stats";

/** What a figure is held to: its own value, or its ratio to the reference measured beside it. */
export interface Target {
  of: "value" | "ratio";
  op: "<=" | ">=" | "==";
  limit: number;
}

/** One row of the table: a measured value, its reference from the same runs, and the target. */
export interface Figure {
  id: string;
  label: string;
  unit: string;
  value: Spread;
  reference?: { label: string; value: Spread };
  /** Per-run value ÷ reference, summarised like every other figure. */
  ratio?: Spread;
  target?: Target;
  met?: boolean;
  /** What was measured beside the figure (calls, breakdowns): shown whether or not the target is met. */
  note?: string;
  /** Why the figure misses its target, and what would close the gap: shown only when it does. */
  why?: string;
  close?: string;
  /** How far a composite figure misses, when the generic computation from value and target cannot say. */
  shortfall?: string;
  /** A pre-formatted value for composite rows (cold start: bytes / gzip / init). */
  display?: { value: string; reference?: string; ratio?: string; target?: string };
}

export interface SectionResult {
  figures: Figure[];
  /** Everything else worth keeping: raw samples, counts, breakdowns. */
  details: Record<string, unknown>;
  /** Explanations shared by several figures (printed once, after the section's figure notes). */
  notes?: string[];
}

/** Decides `met` from the target (medians only: the spread is shown, not judged). */
export function judge(figure: Figure): Figure {
  if (!figure.target) return figure;
  const measured = figure.target.of === "ratio" ? figure.ratio?.median : figure.value.median;
  if (measured === undefined || Number.isNaN(measured)) return { ...figure, met: false };
  const { op, limit } = figure.target;
  const met =
    op === "<=" ? measured <= limit : op === ">=" ? measured >= limit : Math.abs(measured - limit) < 1e-9;
  return { ...figure, met };
}

/** How far a missed target is: "2.51× against ≤ 1.5×, 67 % over". */
export function shortfall(figure: Figure): string | undefined {
  if (!figure.target || figure.met) return undefined;
  if (figure.shortfall) return figure.shortfall;
  const { of, op, limit } = figure.target;
  const measured = of === "ratio" ? figure.ratio?.median : figure.value.median;
  if (measured === undefined || Number.isNaN(measured)) return "not measured";
  const shown = of === "ratio" ? `${formatNumber(measured)}×` : withUnit(formatNumber(measured), figure.unit);
  const against = formatTarget(figure.target, figure.unit);
  if (op === "==") return `${shown} against ${against}`;
  const off = op === "<=" ? (measured / limit - 1) * 100 : (1 - measured / limit) * 100;
  return `${shown} against ${against}: ${off.toFixed(0)} % ${op === "<=" ? "over" : "short"}`;
}

/** Every note of every section, in table order: what goes under the table. */
export function allNotes(sections: Record<string, SectionResult>): string[] {
  return Object.values(sections).flatMap((section) => [
    ...section.figures.map(noteFor).filter((n): n is string => n !== undefined),
    ...(section.notes ?? []).map((n) => `- ${n}`),
  ]);
}

/** The line under the table for a figure: the measured context, and for a miss how far, why, and the fix. */
export function noteFor(figure: Figure): string | undefined {
  const miss = shortfall(figure);
  const parts = [
    miss ? `**missed** — ${miss}.` : undefined,
    figure.note,
    miss && figure.why ? `Why: ${figure.why}` : undefined,
    miss && figure.close ? `What would close it: ${figure.close}` : undefined,
  ].filter(Boolean);
  return parts.length ? `- ${figure.label}: ${parts.join(" ")}` : undefined;
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString("en-US");
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  if (abs >= 0.01) return value.toFixed(3);
  return value.toPrecision(2);
}

function withUnit(value: string, unit: string): string {
  if (!unit) return value;
  return unit === "$" ? `$${value}` : `${value} ${unit}`;
}

export function formatSpread(s: Spread, unit: string): string {
  if (s.runs.length <= 1 || s.min === s.max) return withUnit(formatNumber(s.median), unit);
  return `${withUnit(formatNumber(s.median), unit)} (${formatNumber(s.min)}–${formatNumber(s.max)})`;
}

export function formatTarget(target: Target | undefined, unit: string): string {
  if (!target) return "";
  const op = target.op === "<=" ? "≤" : target.op === ">=" ? "≥" : "=";
  return target.of === "ratio"
    ? `${op} ${formatNumber(target.limit)}×`
    : `${op} ${withUnit(formatNumber(target.limit), unit)}`;
}

interface Row {
  figure: string;
  value: string;
  reference: string;
  ratio: string;
  target: string;
  met: string;
}

function rows(sections: Record<string, SectionResult>): Row[] {
  return Object.values(sections).flatMap((section) =>
    section.figures.map((f) => ({
      figure: f.label,
      value: f.display?.value ?? formatSpread(f.value, f.unit),
      reference:
        f.display?.reference ??
        (f.reference ? `${f.reference.label}: ${formatSpread(f.reference.value, f.unit)}` : ""),
      ratio: f.display?.ratio ?? (f.ratio ? `${formatNumber(f.ratio.median)}×` : ""),
      target: f.display?.target ?? formatTarget(f.target, f.unit),
      met: f.target ? (f.met ? "yes" : "**no**") : "",
    })),
  );
}

/** The Markdown table the README's performance section carries (bench/results/latest.md). */
export function markdownTable(sections: Record<string, SectionResult>): string {
  const header = "| Figure | Value (median, min–max) | Reference (same run) | Ratio | Target | Met? |";
  const rule = "| --- | --- | --- | --- | --- | --- |";
  const body = rows(sections).map(
    (r) =>
      `| ${[r.figure, r.value, r.reference, r.ratio, r.target, r.met].map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`,
  );
  return [header, rule, ...body].join("\n");
}

/** The same table for a terminal: fixed-width columns, no Markdown emphasis. */
export function textTable(sections: Record<string, SectionResult>): string {
  const all = rows(sections).map((r) => ({ ...r, met: r.met.replaceAll("*", "") }));
  const header: Row = {
    figure: "figure",
    value: "value (median, min–max)",
    reference: "reference (same run)",
    ratio: "ratio",
    target: "target",
    met: "met",
  };
  const keys = Object.keys(header) as Array<keyof Row>;
  const widths = keys.map((k) => Math.max(...[header, ...all].map((r) => r[k].length)));
  const line = (r: Row) =>
    keys
      .map((k, i) => r[k].padEnd(widths[i] as number))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...all.map(line)].join("\n");
}
