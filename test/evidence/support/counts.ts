import type { Parameters as FcParameters } from "fast-check";

/**
 * `npm run test:stress` sets KUBERNAUT_STRESS=1: every fuzzed route then gets 10,000 generated inputs
 * (issue 11, item 2). `npm test` runs the same properties with reduced counts so the evidence folder
 * stays within its time budget on a 2-core machine.
 */
export const STRESS = process.env.KUBERNAUT_STRESS === "1";

/**
 * Generated inputs per route: 10,000 under stress, `normal` otherwise (KUBERNAUT_FUZZ_RUNS overrides
 * the normal count when a property needs a longer look without a full stress run).
 */
export const runsPerRoute = (normal: number): number =>
  STRESS ? 10_000 : Number(process.env.KUBERNAUT_FUZZ_RUNS ?? normal);

/**
 * fast-check settings for one property. A failing seed is printed by fast-check; setting
 * KUBERNAUT_FUZZ_SEED replays it. Shrinking stays on, so a failure is reported with its smallest input.
 */
export function fuzzParameters<T>(normalRuns: number): FcParameters<T> {
  const seed = process.env.KUBERNAUT_FUZZ_SEED;
  return {
    numRuns: runsPerRoute(normalRuns),
    ...(seed ? { seed: Number(seed) } : {}),
  };
}

/** A per-test timeout that fits the mode: minutes for 10,000 HTTP runs, the default budget otherwise. */
export const fuzzTimeout = (normalMs = 30_000): number =>
  STRESS || process.env.KUBERNAUT_FUZZ_RUNS ? 60 * 60_000 : normalMs;
