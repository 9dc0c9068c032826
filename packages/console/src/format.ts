/** How operators read durations: the two largest units, "850 ms", "4.2 s", "3 min 20 s", "2 h 5 min". */
export function formatDuration(ms: number): string {
  const value = Math.max(0, ms);
  if (value < 1_000) return `${Math.round(value)} ms`;
  if (value < 60_000) return `${(value / 1_000).toFixed(value < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(value / 60_000);
  if (minutes < 60) {
    const seconds = Math.floor((value % 60_000) / 1_000);
    return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 48) return rest ? `${hours} h ${rest} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** What is left until a deadline, as the queue shows it ("12 min 5 s left", "expired"). */
export function timeRemaining(deadline: string, now: Date): { text: string; ms: number; urgent: boolean } {
  const ms = Date.parse(deadline) - now.getTime();
  if (!(ms > 0)) return { text: "expired", ms: 0, urgent: true };
  // Under two minutes an approver should act now or let it expire knowingly.
  return { text: `${formatDuration(ms)} left`, ms, urgent: ms < 120_000 };
}

/** A timestamp in UTC to the second, the way the audit trail is read next to logs. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** Parameter values as an operator typed them: strings bare, everything else as JSON. */
export function formatValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The first 12 hex digits: enough to tell two hashes apart on screen; the full one is in a title. */
export function shortHash(hash: string | undefined): string {
  return hash ? hash.slice(0, 12) : "—";
}

export function formatScore(score: number | undefined): string {
  return score === undefined ? "—" : score.toFixed(2);
}
