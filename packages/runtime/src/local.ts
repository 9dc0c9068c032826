import type { Config } from "@kubernaut/config";
import { buildIntakeDefinition, localIntakeFunctionArn } from "@kubernaut/intake";
import { buildNotifyDefinition, localNotifyFunctionArn } from "@kubernaut/notify";
import { buildDefinition, localFunctionArn, type TaskFunction } from "@kubernaut/pipeline/definition";
import {
  LOCAL_INTAKE_STATE_MACHINE_ARN,
  LOCAL_NOTIFY_STATE_MACHINE_ARN,
  LOCAL_STATE_MACHINE_ARN,
  LocalStepFunctions,
  serveStepFunctions,
} from "@kubernaut/pipeline/engine";
import type { TaskHandler } from "@kubernaut/pipeline/tasks";
import { metrics } from "@kubernaut/telemetry";
import { executionClosed, intakeTasks, notifyTasks, pipelineTasks } from "./handlers";
import { intakeStarter, stepFunctions } from "./parts/aws";
import { breakers, notifications, notifier } from "./parts/notify";
import { intakes } from "./parts/store";
import { createRuntime, type Runtime, type RuntimeAdapters } from "./runtime";

export interface LocalPipelineOptions {
  config: () => Config;
  /** Everything a runtime needs but the Step Functions endpoint and ARNs, which the engine provides. */
  adapters: Omit<RuntimeAdapters, "stepFunctionsEndpoint" | "machines">;
  /** Multiplies every Wait and Retry interval (tests use e.g. 0.01). */
  timeScale?: number;
  /** Seconds between rollout checks (before scaling). */
  rolloutPollSeconds?: number;
  /** Wraps the task handlers (fault injection in tests, timing in the bench). */
  wrapHandlers?: (handlers: Record<TaskFunction, TaskHandler>) => Record<TaskFunction, TaskHandler>;
  /** Puts parts in place before anything is built (tests: a decision sender that can crash). */
  prepare?: (rt: Runtime) => void;
  port?: number;
}

/**
 * The state machines as they run on one machine: the same ASL (remediation, notify and intake
 * machines) on the local engine behind a Step Functions endpoint the real SDK client talks to, and the
 * same handlers the Lambdas run, built by the same runtime.
 */
export async function startLocalPipeline(options: LocalPipelineOptions) {
  let runtime: Runtime | undefined;
  const engine = new LocalStepFunctions({
    ...(options.timeScale ? { timeScale: options.timeScale } : {}),
    // What the EventBridge rule does on AWS: an execution that closed early fails its remediation.
    onExecutionClosed: async (execution) => {
      if (execution.stateMachineArn !== LOCAL_STATE_MACHINE_ARN || !runtime) return;
      await executionClosed(runtime)({
        detail: {
          name: execution.name,
          status: execution.status,
          error: execution.error ?? null,
          cause: execution.cause ?? null,
        },
      });
    },
  });
  const server = await serveStepFunctions(engine, options.port ?? 0);
  const rt = createRuntime(options.config, {
    ...options.adapters,
    stepFunctionsEndpoint: server.endpoint,
    machines: {
      pipeline: LOCAL_STATE_MACHINE_ARN,
      notify: LOCAL_NOTIFY_STATE_MACHINE_ARN,
      intake: LOCAL_INTAKE_STATE_MACHINE_ARN,
    },
  });
  runtime = rt;
  options.prepare?.(rt);

  const config = options.config();
  const retry = config.notification.retry;
  engine.register({
    stateMachineArn: LOCAL_NOTIFY_STATE_MACHINE_ARN,
    definition: buildNotifyDefinition({
      functionArn: localNotifyFunctionArn,
      retry: {
        maxAttempts: retry.maxAttempts,
        initialBackoffMs: retry.initialBackoff,
        maxBackoffMs: retry.maxBackoff,
      },
    }),
    handlers: notifyTasks(rt),
  });
  const definition = buildDefinition({
    functionArn: localFunctionArn,
    ...(options.rolloutPollSeconds ? { rolloutPollSeconds: options.rolloutPollSeconds } : {}),
  });
  const handlers = pipelineTasks(rt);
  engine.register({
    stateMachineArn: LOCAL_STATE_MACHINE_ARN,
    definition,
    handlers: options.wrapHandlers ? options.wrapHandlers(handlers) : handlers,
  });
  engine.register({
    stateMachineArn: LOCAL_INTAKE_STATE_MACHINE_ARN,
    definition: buildIntakeDefinition({
      functionArn: localIntakeFunctionArn,
      interpretTimeoutSeconds: intakeTimeoutSeconds(config.aianalysis.llm?.budget.maxDuration),
    }),
    handlers: intakeTasks(rt),
  });
  const uncollect = metrics.collect(() => {
    const running = engine
      .listExecutions(LOCAL_NOTIFY_STATE_MACHINE_ARN)
      .filter((e) => e.status === "RUNNING").length;
    metrics.set("kubernaut_notification_reconciler_active", "Notification deliveries in flight", {}, running);
  });
  const sfn = stepFunctions(rt);
  return {
    rt,
    engine,
    sfn,
    definition,
    endpoint: server.endpoint,
    stateMachineArn: LOCAL_STATE_MACHINE_ARN,
    get notifier() {
      return notifier(rt);
    },
    get notifications() {
      return notifications(rt);
    },
    get breakers() {
      return breakers(rt);
    },
    get intakes() {
      return intakes(rt);
    },
    get intakeStarter() {
      return intakeStarter(rt);
    },
    async close() {
      uncollect();
      await engine.shutdown();
      sfn.destroy();
      await server.close();
    },
  };
}

export type LocalPipeline = Awaited<ReturnType<typeof startLocalPipeline>>;

/** The Interpret task's timeout: the model's whole budget and a minute for the tools and retries. */
export function intakeTimeoutSeconds(maxDurationMs: number | undefined): number {
  return Math.ceil((maxDurationMs ?? 120_000) / 1000) + 60;
}
