import type { StateMachine } from "aws-local-stepfunctions";

/** The engine's event log entry (the library does not export the type itself). */
type EventLog = ReturnType<StateMachine["run"]>["eventLogs"] extends AsyncGenerator<infer E> ? E : never;

/** A history event in the shape GetExecutionHistory returns (AWS's HistoryEvent, dates as Date). */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: string;
  [details: string]: unknown;
}

const text = (value: unknown) => JSON.stringify(value ?? null);

/** Maps the local engine's event log onto Step Functions' history event types. */
export function historyRecorder(history: HistoryEvent[]) {
  const push = (type: string, details: Record<string, unknown> = {}, timestamp = Date.now()) => {
    history.push({
      id: history.length + 1,
      previousEventId: history.length,
      timestamp: new Date(timestamp),
      type,
      ...details,
    });
  };
  return (event: EventLog) => {
    switch (event.type) {
      case "ExecutionStarted":
        return push(
          "ExecutionStarted",
          { executionStartedEventDetails: { input: text(event.input) } },
          event.timestamp,
        );
      case "ExecutionSucceeded":
        return push(
          "ExecutionSucceeded",
          { executionSucceededEventDetails: { output: text(event.output) } },
          event.timestamp,
        );
      case "ExecutionFailed":
        return push(
          "ExecutionFailed",
          { executionFailedEventDetails: { error: event.Error, cause: String(event.Cause) } },
          event.timestamp,
        );
      case "ExecutionAborted":
        return push("ExecutionAborted", {}, event.timestamp);
      case "ExecutionTimeout":
        return push("ExecutionTimedOut", {}, event.timestamp);
      case "StateEntered":
        return push(
          `${event.state.type}StateEntered`,
          { stateEnteredEventDetails: { name: event.state.name, input: text(event.state.input) } },
          event.timestamp,
        );
      case "StateExited":
        return push(
          `${event.state.type}StateExited`,
          { stateExitedEventDetails: { name: event.state.name, output: text(event.state.output) } },
          event.timestamp,
        );
      case "StateFailed":
        return push(
          event.state.type === "Task" ? "TaskFailed" : "ExecutionFailed",
          {
            taskFailedEventDetails: {
              resourceType: "lambda",
              resource: event.state.name,
              error: event.Error,
              cause: String(event.Cause),
            },
          },
          event.timestamp,
        );
      default:
        return undefined;
    }
  };
}
