import type { HistoryEvent } from "@kubernaut/pipeline";

/**
 * Step Functions bills a state transition each time a state is entered, retries included; the local
 * engine's history records exactly those entries in AWS's event names (TaskStateEntered, …).
 */
export function transitions(history: readonly HistoryEvent[]): number {
  return history.filter((e) => e.type.endsWith("StateEntered")).length;
}

function stateName(event: HistoryEvent, key: "stateEnteredEventDetails" | "stateExitedEventDetails"): string {
  return String((event[key] as { name?: string } | undefined)?.name ?? "");
}

/** How often a state was entered (one rollout check means CheckRollout once). */
export function entries(history: readonly HistoryEvent[], state: string): number {
  return history.filter(
    (e) => e.type.endsWith("StateEntered") && stateName(e, "stateEnteredEventDetails") === state,
  ).length;
}

/** Failed task attempts: each one is a retry (or the catch) that costs transitions and an invocation. */
export function taskFailures(history: readonly HistoryEvent[]): number {
  return history.filter((e) => e.type === "TaskFailed").length;
}

/** The duration of every Task state (entered → exited), as the Lambda behind it would bill it. */
export function taskDurations(history: readonly HistoryEvent[]): Array<{ state: string; ms: number }> {
  const open = new Map<string, number>();
  const durations: Array<{ state: string; ms: number }> = [];
  for (const event of history) {
    if (event.type === "TaskStateEntered")
      open.set(stateName(event, "stateEnteredEventDetails"), event.timestamp.getTime());
    if (event.type === "TaskStateExited") {
      const state = stateName(event, "stateExitedEventDetails");
      const started = open.get(state);
      if (started !== undefined) durations.push({ state, ms: event.timestamp.getTime() - started });
      open.delete(state);
    }
  }
  return durations;
}
