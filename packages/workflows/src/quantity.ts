/**
 * Kubernetes quantities for byte amounts ("600Mi", "1.5Gi", "1G", "629145600"), the way operators read
 * and type memory limits. Values are stored and compared as whole numbers of bytes — exact, and what
 * `kubectl get -o json` would compare too — and turned back into the shortest exact quantity wherever a
 * person reads them, including the patch sent to the cluster.
 */

const BINARY: ReadonlyArray<readonly [string, bigint]> = [
  ["Ei", 1n << 60n],
  ["Pi", 1n << 50n],
  ["Ti", 1n << 40n],
  ["Gi", 1n << 30n],
  ["Mi", 1n << 20n],
  ["Ki", 1n << 10n],
];
const DECIMAL: ReadonlyArray<readonly [string, bigint]> = [
  ["E", 10n ** 18n],
  ["P", 10n ** 15n],
  ["T", 10n ** 12n],
  ["G", 10n ** 9n],
  ["M", 10n ** 6n],
  ["k", 10n ** 3n],
];
const FACTORS = new Map<string, bigint>([["", 1n], ...BINARY, ...DECIMAL]);

/** What went wrong reading a quantity, in words an operator can act on. */
export class QuantityError extends Error {
  constructor(
    readonly input: string,
    problem: string,
  ) {
    super(`"${input}" ${problem}`);
    this.name = "QuantityError";
  }
}

/**
 * A quantity as a whole number of bytes. Accepts what Kubernetes accepts for memory: a plain number,
 * a binary (Ki, Mi, Gi, Ti, Pi, Ei) or decimal (k, M, G, T, P, E) suffix, or an exponent (1e9); a
 * fraction is fine as long as the result is a whole number of bytes ("1.5Gi", not "0.1Ki").
 *
 * @example parseQuantity("600Mi") // 629145600
 */
export function parseQuantity(input: string | number): number {
  if (typeof input === "number") {
    if (!Number.isSafeInteger(input) || input < 0)
      throw new QuantityError(String(input), "is not a whole, non-negative number of bytes");
    return input;
  }
  const text = input.trim();
  const match = /^(\d+)(?:\.(\d+))?(?:([KMGTPE]i|[kMGTPE])|[eE](\d+))?$/.exec(text);
  if (!match) throw new QuantityError(input, "is not a Kubernetes quantity (e.g. 600Mi, 1Gi, 512M)");
  const [, whole = "0", fraction = "", suffix = "", exponent] = match;
  const factor = exponent !== undefined ? 10n ** BigInt(exponent) : (FACTORS.get(suffix) ?? 1n);
  const scale = 10n ** BigInt(fraction.length);
  const numerator = BigInt(`${whole}${fraction}`) * factor;
  if (numerator % scale !== 0n) throw new QuantityError(input, "is not a whole number of bytes");
  const bytes = numerator / scale;
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) throw new QuantityError(input, "is too large");
  return Number(bytes);
}

/** `parseQuantity` that answers undefined instead of throwing (form fields, optional values). */
export function tryParseQuantity(input: string | number | undefined): number | undefined {
  if (input === undefined) return undefined;
  try {
    return parseQuantity(input);
  } catch {
    return undefined;
  }
}

/**
 * The shortest exact quantity for a number of bytes: a binary suffix when it divides exactly (memory
 * is usually set in Mi and Gi), else a decimal one, else the plain number.
 *
 * @example formatQuantity(629145600) // "600Mi"
 */
export function formatQuantity(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes <= 0) return String(bytes);
  const value = BigInt(bytes);
  for (const [suffix, factor] of [...BINARY, ...DECIMAL]) {
    if (value % factor === 0n) return `${value / factor}${suffix}`;
  }
  return String(bytes);
}
