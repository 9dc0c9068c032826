/**
 * Summaries the report is made of. Every figure is the median of its repeated runs with the spread
 * (min–max) beside it, so a reader sees how much one run can be trusted; percentiles inside a run use
 * the nearest-rank method, which never invents a value that was not measured.
 */

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** The per-run values, in run order. */
  runs: number[];
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile (p in 0–100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length;
}

export function spread(runs: readonly number[]): Spread {
  return {
    median: median(runs),
    min: Math.min(...runs),
    max: Math.max(...runs),
    runs: [...runs],
  };
}

/** Per-run ratios of paired measurements: the reference ran in the same run, under the same load. */
export function pairedRatio(values: readonly number[], references: readonly number[]): Spread {
  return spread(values.map((v, i) => v / (references[i] as number)));
}

/** Milliseconds since `start` (a `process.hrtime.bigint()` reading), with sub-microsecond resolution. */
export function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Times one awaited call in milliseconds. */
export async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await run();
  return { ms: elapsedMs(start), value };
}

/** A deterministic PRNG (mulberry32), so every run sends the same storm in the same order. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
