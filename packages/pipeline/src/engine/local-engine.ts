import { randomBytes } from "node:crypto";
import type { StateMachineDefinition } from "aws-local-stepfunctions";
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
} from "aws-local-stepfunctions";
import type { TaskHandler } from "../tasks";
import { type HistoryEvent, historyRecorder } from "./history";

export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  /** Settles when the execution closes, whatever its status. */
  closed: Promise<void>;
  abort: () => void;
}

/** An error the Step Functions API answers with; `name` is the AWS error code the SDK turns into a class. */
export class SfnApiError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** A state machine the engine runs: its ASL and, per Lambda function name, the in-process handler. */
export interface StateMachineRegistration {
  stateMachineArn: string;
  definition: object;
  /** Keyed by function name (`kubernaut-<name>` in the ARN): the same code the Lambdas run. */
  handlers: Record<string, TaskHandler>;
}

export interface LocalEngineOptions {
  /**
   * Multiplies every Wait and Retry interval (tests use e.g. 0.01). Task timeouts are not scaled: the
   * work inside a task runs at real speed, so a scaled timeout only fails slow machines. Approval
   * timeouts come from data (TimeoutSecondsPath) and follow the configured requiredBy instead.
   */
  timeScale?: number;
  onExecutionClosed?: (execution: ExecutionRecord) => void | Promise<void>;
}

interface PendingTask {
  executionArn: string;
  stateName: string;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
  closed?: "completed" | "timedOut";
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Definition = { States: Record<string, Record<string, Json>>; StartAt: string };

interface TaskState {
  stateName: string;
  handler: TaskHandler;
  callback: boolean;
  timeoutFromInput: boolean;
}

interface RegisteredMachine {
  machine: StateMachine;
  taskStates: TaskState[];
  waitOverrides: Record<string, number>;
  retryOverrides: Record<string, number[]>;
}

/** The function name a local Lambda ARN names: `arn:…:function:kubernaut-enrich` → `enrich`. */
export function localFunctionName(arn: string): string {
  return (arn.split(":").pop() ?? "").replace(/^kubernaut-/, "");
}

/**
 * Runs the pipeline's ASL in-process with aws-local-stepfunctions and keeps the bookkeeping Step
 * Functions does: named executions (a repeated StartExecution is idempotent), history, and callback
 * tokens for `.waitForTaskToken` tasks, minted per task and usable once. The state machine is built
 * (and validated) once per process; an execution costs microseconds.
 */
export class LocalStepFunctions {
  private readonly machines = new Map<string, RegisteredMachine>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly tasks = new Map<string, PendingTask>();
  private shuttingDown = false;

  constructor(private readonly options: LocalEngineOptions = {}) {}

  /**
   * Builds (and validates) a state machine once; executions then cost microseconds. Every Task state
   * must invoke a function that has a handler, so a typo fails here and not mid-remediation.
   */
  register(registration: StateMachineRegistration): void {
    const scale = this.options.timeScale ?? 1;
    const definition = structuredClone(registration.definition) as Definition;
    const taskStates: TaskState[] = [];
    const waitOverrides: Record<string, number> = {};
    const retryOverrides: Record<string, number[]> = {};
    for (const [stateName, state] of Object.entries(definition.States)) {
      if (state.Type === "Task") {
        const parameters = state.Parameters as { FunctionName?: string } | undefined;
        const handler = registration.handlers[localFunctionName(String(parameters?.FunctionName ?? ""))];
        if (!handler)
          throw new Error(
            `state ${stateName} invokes ${parameters?.FunctionName}, which has no local handler`,
          );
        // AWS reads TimeoutSecondsPath from the state's input; the library reads it after Parameters. So
        // the path becomes a parameter of the local copy and the engine enforces that timeout itself.
        const timeoutPath =
          typeof state.TimeoutSecondsPath === "string" ? state.TimeoutSecondsPath : undefined;
        if (timeoutPath) {
          state.Parameters = {
            ...(state.Parameters as Record<string, Json>),
            [`${TIMEOUT_PARAMETER}.$`]: timeoutPath,
          };
          delete state.TimeoutSecondsPath;
          // Without a timeout of its own the library applies its 60 s default, which would expire every
          // approval after a minute; the engine's timer enforces the real one. 2,000,000 s stays below
          // Node's setTimeout ceiling (2^31 - 1 ms), past which a delay becomes 1 ms.
          state.TimeoutSeconds = 2_000_000;
        }
        taskStates.push({
          stateName,
          handler,
          callback: String(state.Resource).endsWith(".waitForTaskToken"),
          timeoutFromInput: timeoutPath !== undefined,
        });
      }
      if (scale !== 1 && state.Type === "Wait" && typeof state.Seconds === "number") {
        waitOverrides[stateName] = state.Seconds * 1000 * scale;
      }
      if (scale !== 1 && Array.isArray(state.Retry)) {
        retryOverrides[stateName] = state.Retry.map((retrier) => {
          const interval = (retrier as { IntervalSeconds?: number }).IntervalSeconds ?? 1;
          return interval * 1000 * scale;
        });
      }
    }
    // The unscaled definition is validated like AWS would; a scaled copy may hold fractional timeouts.
    const machine = new StateMachine(definition as unknown as StateMachineDefinition, {
      validationOptions: scale === 1 ? { checkArn: true, checkPaths: true } : { noValidate: true },
    });
    this.machines.set(registration.stateMachineArn, { machine, taskStates, waitOverrides, retryOverrides });
  }

  startExecution(request: { stateMachineArn: string; name?: string; input?: string }): ExecutionRecord {
    const registered = this.machines.get(request.stateMachineArn);
    if (!registered) {
      throw new SfnApiError(
        "StateMachineDoesNotExist",
        `State Machine Does Not Exist: '${request.stateMachineArn}'`,
      );
    }
    const name = request.name ?? randomBytes(16).toString("hex");
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new SfnApiError("InvalidName", `Invalid Name: '${name}'`);
    const input = request.input ?? "{}";
    let parsed: Json;
    try {
      parsed = JSON.parse(input) as Json;
    } catch {
      throw new SfnApiError("InvalidExecutionInput", "Invalid execution input: not JSON");
    }
    const executionArn = `${request.stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      // As on AWS: the same name and input while running returns the running execution; anything else
      // is ExecutionAlreadyExists. Either way there is never a second execution.
      if (existing.status === "RUNNING" && existing.input === input) return existing;
      throw new SfnApiError("ExecutionAlreadyExists", `Execution Already Exists: '${executionArn}'`);
    }
    return this.run(request.stateMachineArn, registered, executionArn, name, input, parsed);
  }

  describeExecution(executionArn: string): ExecutionRecord {
    const execution = this.executions.get(executionArn);
    if (!execution)
      throw new SfnApiError("ExecutionDoesNotExist", `Execution Does Not Exist: '${executionArn}'`);
    return execution;
  }

  listExecutions(stateMachineArn?: string): ExecutionRecord[] {
    return [...this.executions.values()].filter(
      (e) => !stateMachineArn || e.stateMachineArn === stateMachineArn,
    );
  }

  sendTaskSuccess(taskToken: string, output: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new SfnApiError("InvalidOutput", "Invalid output: not JSON");
    }
    this.settle(taskToken).resolve(parsed);
  }

  sendTaskFailure(taskToken: string, error = "", cause = ""): void {
    const failure = new Error(cause);
    failure.name = error || "States.TaskFailed";
    this.settle(taskToken).reject(failure);
  }

  stopExecution(executionArn: string): void {
    const execution = this.describeExecution(executionArn);
    if (execution.status === "RUNNING") execution.abort();
  }

  /** Resolves when no execution is running (tests; a graceful shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.executions.values()].filter((e) => e.status === "RUNNING");
      if (running.length === 0) return;
      await Promise.all(running.map((e) => e.closed));
    }
  }

  /** Aborts every running execution (Ctrl-C); their remediations are reconciled on the next start. */
  async shutdown(): Promise<void> {
    // Aborted by a shutdown is not a verdict on the remediation: the next start reconciles it.
    this.shuttingDown = true;
    for (const execution of this.executions.values()) if (execution.status === "RUNNING") execution.abort();
    await this.idle();
  }

  private settle(taskToken: string): PendingTask {
    const task = this.tasks.get(taskToken);
    if (!task) throw new SfnApiError("TaskDoesNotExist", "Task Does Not Exist");
    if (task.closed) {
      throw new SfnApiError(
        "TaskTimedOut",
        "Task Timed Out: the task token has either expired or the task associated with it has already been closed",
      );
    }
    task.closed = "completed";
    return task;
  }

  private run(
    stateMachineArn: string,
    registered: RegisteredMachine,
    executionArn: string,
    name: string,
    input: string,
    parsed: Json,
  ): ExecutionRecord {
    const overrides: Record<string, (input: Json) => Promise<Json>> = {};
    for (const { stateName, handler, callback, timeoutFromInput } of registered.taskStates) {
      const invoke = callback
        ? (taskInput: Json) => this.callbackTask(executionArn, stateName, handler, taskInput)
        : async (taskInput: Json) => ({
            Payload: (await handler(payloadOf(taskInput))) as Json,
            StatusCode: 200,
          });
      overrides[stateName] = (taskInput) => {
        const work = timeoutFromInput ? withInputTimeout(taskInput, invoke) : invoke(taskInput);
        // When a timeout wins the race, the task's own later rejection must not become unhandled.
        work.catch(() => undefined);
        return work;
      };
    }
    const startDate = new Date();
    const { result, eventLogs, abort } = registered.machine.run(parsed, {
      overrides: {
        taskResourceLocalHandlers: overrides,
        waitTimeOverrides: registered.waitOverrides,
        retryIntervalOverrides: registered.retryOverrides,
      },
      context: {
        Execution: { Id: executionArn, Name: name, StartTime: startDate.toISOString() },
        StateMachine: { Id: stateMachineArn },
        // Replaced per task by a minted token (see callbackTask); present so `$$.Task.Token` resolves.
        Task: { Token: "minted-per-task" },
      },
    });
    let closeExecution: () => void = () => undefined;
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn,
      name,
      input,
      status: "RUNNING",
      startDate,
      history: [],
      closed: new Promise<void>((resolve) => {
        closeExecution = resolve;
      }),
      abort,
    };
    this.executions.set(executionArn, record);
    const recorder = historyRecorder(record.history);
    const consumeLogs = (async () => {
      for await (const event of eventLogs) {
        recorder(event);
        if (event.type === "StateFailed" || event.type === "StateExited")
          this.closeTasks(executionArn, event.state.name);
      }
    })();
    void (async () => {
      try {
        const output = await result;
        Object.assign(record, { status: "SUCCEEDED", output: JSON.stringify(output ?? null) });
      } catch (error) {
        const status: ExecutionStatus =
          error instanceof ExecutionTimeoutError
            ? "TIMED_OUT"
            : error instanceof ExecutionAbortedError
              ? "ABORTED"
              : "FAILED";
        const cause = error instanceof ExecutionError ? (error.cause as Error | undefined) : (error as Error);
        Object.assign(record, {
          status,
          error: cause?.name ?? "States.Runtime",
          cause: cause?.message ?? String(error),
        });
      }
      record.stopDate = new Date();
      await consumeLogs.catch(() => undefined);
      this.closeTasks(executionArn);
      try {
        if (!this.shuttingDown) await this.options.onExecutionClosed?.(record);
      } finally {
        closeExecution();
      }
    })();
    return record;
  }

  private async callbackTask(
    executionArn: string,
    stateName: string,
    handler: TaskHandler,
    taskInput: Json,
  ): Promise<Json> {
    const token = `${randomBytes(24).toString("base64url")}`;
    const outcome = new Promise<Json>((resolve, reject) => {
      this.tasks.set(token, { executionArn, stateName, resolve: (v) => resolve(v as Json), reject });
    });
    // Keep an unhandled rejection from escaping if the task times out before anyone awaits this.
    outcome.catch(() => undefined);
    await handler({ ...payloadOf(taskInput), taskToken: token });
    return outcome;
  }

  /** A task that timed out, failed or finished can no longer be completed with its token. */
  private closeTasks(executionArn: string, stateName?: string): void {
    for (const task of this.tasks.values()) {
      if (
        task.executionArn === executionArn &&
        (!stateName || task.stateName === stateName) &&
        !task.closed
      ) {
        task.closed = "timedOut";
      }
    }
  }
}

const TIMEOUT_PARAMETER = "localTimeoutSeconds";

function statesError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** Runs a task under the timeout its TimeoutSecondsPath selected, failing with States.Timeout as AWS does. */
function withInputTimeout(taskInput: Json, invoke: (input: Json) => Promise<Json>): Promise<Json> {
  const seconds = (taskInput as Record<string, Json> | null)?.[TIMEOUT_PARAMETER];
  if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < 1) {
    return Promise.reject(
      statesError(
        "States.Runtime",
        `TimeoutSecondsPath must select an integer ≥ 1, got ${JSON.stringify(seconds)}`,
      ),
    );
  }
  return new Promise<Json>((resolve, reject) => {
    const timer = setTimeout(() => reject(statesError("States.Timeout", "Task timed out")), seconds * 1000);
    invoke(taskInput).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function payloadOf(taskInput: Json): Record<string, Json> {
  const payload = (taskInput as { Payload?: Json } | null)?.Payload;
  return payload && typeof payload === "object" && !Array.isArray(payload) ? payload : {};
}
