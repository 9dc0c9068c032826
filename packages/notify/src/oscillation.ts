/**
 * The same target remediated more than `maxRemediations` times within `windowMs` is oscillating: each
 * fix is undone by something (a deploy pipeline, an operator, a bad default) and automation is making
 * noise instead of progress. Returns whether this remediation crosses the line (exactly once per window).
 */
export function isOscillating(
  executionTimes: readonly number[],
  now: number,
  maxRemediations: number,
  windowMs: number,
): boolean {
  const recent = executionTimes.filter((t) => now - t <= windowMs);
  return recent.length === maxRemediations + 1;
}
