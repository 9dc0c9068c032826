import { loadConfig } from "@kubernaut/config";
import { buildNotifyDefinition, NOTIFY_FUNCTIONS, type NotifyFunction } from "@kubernaut/notify/definition";
import { type FunctionContext, lambdaFunction } from "./functions";
import { stateMachine } from "./state-machine";

/**
 * The notify state machine (DESIGN §2): deliver with Retry (the configured backoff), honour Retry-After,
 * fall back past open breakers, dead-letter the rest. Its retry settings come from the same config file
 * the functions read, so the ASL and the code agree.
 */
export async function createNotify(context: FunctionContext) {
  const config = loadConfig(process.env);
  const functions = Object.fromEntries(
    await Promise.all(
      NOTIFY_FUNCTIONS.map(async (fn) => [fn, await lambdaFunction(`notify-${fn}`, context)] as const),
    ),
  ) as Record<NotifyFunction, sst.aws.Function>;

  const retry = config.notification.retry;
  const machine = await stateMachine("Notify", {
    name: `kubernaut-${$app.stage}-notify`,
    functions,
    definition: (functionArn) =>
      buildNotifyDefinition({
        functionArn,
        retry: {
          maxAttempts: retry.maxAttempts,
          initialBackoffMs: retry.initialBackoff,
          maxBackoffMs: retry.maxBackoff,
        },
      }),
  });
  return { machine, functions };
}
