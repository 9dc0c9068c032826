import { SFNClient } from "@aws-sdk/client-sfn";
import type { TaskFunction } from "./definition";
import { buildDefinition, localFunctionArn } from "./definition";
import { LocalStepFunctions } from "./engine/local-engine";
import { serveStepFunctions } from "./engine/server";
import { reconcileClosedExecution } from "./reconcile";
import { createTaskHandlers, type PipelineDeps, type TaskHandler } from "./tasks";

export const LOCAL_STATE_MACHINE_ARN =
  "arn:aws:states:us-east-1:000000000000:stateMachine:kubernaut-local-pipeline";

export interface LocalPipelineOptions {
  deps: PipelineDeps;
  timeScale?: number;
  /** Seconds between rollout checks (before scaling). */
  rolloutPollSeconds?: number;
  /** Wraps the task handlers (fault injection in tests). */
  wrapHandlers?: (handlers: Record<TaskFunction, TaskHandler>) => Record<TaskFunction, TaskHandler>;
  port?: number;
}

/**
 * The pipeline as it runs in the local loop: the same ASL on the local engine, the same task handlers
 * in-process, behind a Step Functions endpoint that the real SDK client talks to.
 */
export async function startLocalPipeline(options: LocalPipelineOptions) {
  const definition = buildDefinition({
    functionArn: localFunctionArn,
    ...(options.rolloutPollSeconds ? { rolloutPollSeconds: options.rolloutPollSeconds } : {}),
  });
  const handlers = createTaskHandlers(options.deps);
  const engine = new LocalStepFunctions({
    ...(options.timeScale ? { timeScale: options.timeScale } : {}),
    onExecutionClosed: async (execution) => {
      if (execution.stateMachineArn === LOCAL_STATE_MACHINE_ARN) await reconcileClosedExecution(options.deps.store, execution);
    },
  });
  engine.register({
    stateMachineArn: LOCAL_STATE_MACHINE_ARN,
    definition,
    handlers: options.wrapHandlers ? options.wrapHandlers(handlers) : handlers,
  });
  const server = await serveStepFunctions(engine, options.port ?? 0);
  const sfn = new SFNClient({
    region: "us-east-1",
    endpoint: server.endpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 3,
  });
  return {
    engine,
    sfn,
    definition,
    endpoint: server.endpoint,
    stateMachineArn: LOCAL_STATE_MACHINE_ARN,
    async close() {
      await engine.shutdown();
      sfn.destroy();
      await server.close();
    },
  };
}

export type LocalPipeline = Awaited<ReturnType<typeof startLocalPipeline>>;
