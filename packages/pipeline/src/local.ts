import { SFNClient } from "@aws-sdk/client-sfn";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { StepFunctionsIntakeStarter, StepFunctionsStarter } from "@kubernaut/api/ingest";
import {
  buildIntakeDefinition,
  createIntakeHandlers,
  intakeBudget,
  localIntakeFunctionArn,
} from "@kubernaut/intake";
import {
  BreakerStore,
  buildNotifyDefinition,
  createChannels,
  createNotifyHandlers,
  localNotifyFunctionArn,
  NotificationStore,
  Notifier,
} from "@kubernaut/notify";
import { IntakeStore } from "@kubernaut/store";
import { metrics } from "@kubernaut/telemetry";
import type { TaskFunction } from "./definition";
import { buildDefinition, localFunctionArn } from "./definition";
import { LocalStepFunctions } from "./engine/local-engine";
import { serveStepFunctions } from "./engine/server";
import { reconcileClosedExecution } from "./reconcile";
import { createTaskHandlers, type PipelineDeps, type TaskHandler } from "./tasks";

export const LOCAL_STATE_MACHINE_ARN =
  "arn:aws:states:us-east-1:000000000000:stateMachine:kubernaut-local-pipeline";

export const LOCAL_NOTIFY_STATE_MACHINE_ARN =
  "arn:aws:states:us-east-1:000000000000:stateMachine:kubernaut-local-notify";

export const LOCAL_INTAKE_STATE_MACHINE_ARN =
  "arn:aws:states:us-east-1:000000000000:stateMachine:kubernaut-local-intake";

export interface LocalPipelineOptions {
  /** Everything but the notifier, which the local pipeline builds on its own notify state machine. */
  deps: Omit<PipelineDeps, "notifier">;
  /** The table's document client, for notification records and breakers. */
  db: DynamoDBDocumentClient;
  /** For webhook signing secrets (KUBERNAUT_WEBHOOK_SECRET_<RECEIVER>). */
  env?: Readonly<Record<string, string | undefined>>;
  timeScale?: number;
  /** Seconds between rollout checks (before scaling). */
  rolloutPollSeconds?: number;
  /** Wraps the task handlers (fault injection in tests). */
  wrapHandlers?: (handlers: Record<TaskFunction, TaskHandler>) => Record<TaskFunction, TaskHandler>;
  port?: number;
}

/**
 * The pipeline as it runs in the local loop: the same ASL (remediation and notify machines) on the local
 * engine, the same task handlers in-process, behind a Step Functions endpoint that the real SDK client
 * talks to.
 */
export async function startLocalPipeline(options: LocalPipelineOptions) {
  const definition = buildDefinition({
    functionArn: localFunctionArn,
    ...(options.rolloutPollSeconds ? { rolloutPollSeconds: options.rolloutPollSeconds } : {}),
  });
  const engine = new LocalStepFunctions({
    ...(options.timeScale ? { timeScale: options.timeScale } : {}),
    onExecutionClosed: async (execution) => {
      if (execution.stateMachineArn === LOCAL_STATE_MACHINE_ARN)
        await reconcileClosedExecution(options.deps.store, execution);
    },
  });
  const server = await serveStepFunctions(engine, options.port ?? 0);
  const sfn = new SFNClient({
    region: "us-east-1",
    endpoint: server.endpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 3,
  });

  const { config } = options.deps;
  const tableName = config().storage.tableName;
  const notifications = new NotificationStore(options.db, tableName, config().retention.remediationDays);
  const breakers = new BreakerStore(options.db, tableName);
  const retry = config().notification.retry;
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
    handlers: createNotifyHandlers({
      config,
      notifications,
      breakers,
      channels: createChannels(config, options.env ?? {}),
    }),
  });
  const notifier = new Notifier({
    config,
    notifications,
    sfn,
    stateMachineArn: LOCAL_NOTIFY_STATE_MACHINE_ARN,
  });
  const handlers = createTaskHandlers({ ...options.deps, notifier });
  engine.register({
    stateMachineArn: LOCAL_STATE_MACHINE_ARN,
    definition,
    handlers: options.wrapHandlers ? options.wrapHandlers(handlers) : handlers,
  });
  // Natural-language intake: the same ingest logic, starting remediations on the machine above.
  const intakes = new IntakeStore(options.db, tableName, config().retention.remediationDays);
  const { cluster } = options.deps;
  engine.register({
    stateMachineArn: LOCAL_INTAKE_STATE_MACHINE_ARN,
    definition: buildIntakeDefinition({
      functionArn: localIntakeFunctionArn,
      interpretTimeoutSeconds: intakeTimeoutSeconds(config().aianalysis.llm?.budget.maxDuration),
    }),
    handlers: createIntakeHandlers({
      intakes,
      model: () => options.deps.model?.("intake"),
      ...(cluster
        ? {
            cluster: async (name: string | undefined) => {
              await cluster.prepare?.(name);
              return cluster.access(name);
            },
          }
        : {}),
      budget: () => intakeBudget(config().aianalysis.llm?.budget),
      ingest: {
        store: options.deps.store,
        starter: new StepFunctionsStarter(sfn, LOCAL_STATE_MACHINE_ARN),
        pendingGraceMs: config().gateway.pendingGrace,
        ...(options.deps.now ? { now: options.deps.now } : {}),
      },
      ...(options.deps.now ? { now: options.deps.now } : {}),
    }),
  });
  const uncollect = metrics.collect(() => {
    const running = engine
      .listExecutions(LOCAL_NOTIFY_STATE_MACHINE_ARN)
      .filter((e) => e.status === "RUNNING").length;
    metrics.set("kubernaut_notification_reconciler_active", "Notification deliveries in flight", {}, running);
  });
  return {
    engine,
    sfn,
    notifier,
    notifications,
    breakers,
    definition,
    intakes,
    intakeStarter: new StepFunctionsIntakeStarter(sfn, LOCAL_INTAKE_STATE_MACHINE_ARN),
    endpoint: server.endpoint,
    stateMachineArn: LOCAL_STATE_MACHINE_ARN,
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
