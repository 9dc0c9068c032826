import type { AuditEvent } from "./audit";

/** One audit event in a timeline: where it sits, and how honest its clock is. */
export interface TimelineEntry {
  event: AuditEvent;
  /** Milliseconds after the first event, by the event's own clock (negative when that clock is behind). */
  offsetMs: number;
  /**
   * How far this event's timestamp is behind the latest earlier one in the chain (0 when in order).
   * Events are written by different processes (tasks, the API, the monitor) whose clocks differ by a
   * few milliseconds; the chain's sequence is the order things happened in, so a timeline is shown in
   * that order and a backwards clock is said, not hidden by re-sorting on time.
   */
  skewMs: number;
}

/** A remediation's audit chain in sequence order, each event with its offset and clock skew. */
export function orderedTimeline(events: readonly AuditEvent[]): TimelineEntry[] {
  const ordered = [...events].sort((a, b) => a.seq - b.seq);
  const first = ordered[0] ? Date.parse(ordered[0].at) : 0;
  let latest = Number.NEGATIVE_INFINITY;
  return ordered.map((event) => {
    const at = Date.parse(event.at);
    const skewMs = Number.isFinite(latest) && at < latest ? latest - at : 0;
    latest = Math.max(latest, at);
    return { event, offsetMs: at - first, skewMs };
  });
}

/** "+1.2 s", "+350 ms", "-4 ms": an offset as a timeline shows it. */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? "-" : "+";
  const value = Math.abs(ms);
  if (value < 1_000) return `${sign}${Math.round(value)} ms`;
  if (value < 60_000) return `${sign}${(value / 1_000).toFixed(1)} s`;
  const minutes = Math.floor(value / 60_000);
  const seconds = Math.round((value % 60_000) / 1_000);
  return `${sign}${minutes} min${seconds ? ` ${seconds} s` : ""}`;
}
