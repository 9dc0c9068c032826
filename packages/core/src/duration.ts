/**
 * Go-style durations ("90s", "5m", "1h30m"), the format Kubernaut's ConfigMaps use, so operators can
 * paste their existing values.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

export class InvalidDurationError extends Error {
  constructor(readonly input: string) {
    super(`"${input}" is not a duration (use e.g. 30s, 5m, 1h, 1h30m)`);
    this.name = "InvalidDurationError";
  }
}

/** Parses a Go-style duration into milliseconds. @example parseDuration("1h30m") === 5_400_000 */
export function parseDuration(input: string): number {
  const text = input.trim();
  if (!DURATION.test(text)) throw new InvalidDurationError(input);
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) {
    total += Number(amount) * (UNIT_MS[unit as string] as number);
  }
  return Math.round(total);
}

/** Formats milliseconds the way operators write them: 3_600_000 → "1h", 90_000 → "1m30s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1_000],
    ["ms", 1],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.join("");
}
