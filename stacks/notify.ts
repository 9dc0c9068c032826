import { loadConfig } from "@kubernaut/config";
import { buildNotifyDefinition, NOTIFY_FUNCTIONS, type NotifyFunction } from "@kubernaut/notify/definition";
import { functionFiles } from "./files";
import type { Secrets } from "./secrets";
import { stateMachine } from "./state-machine";
import type { Storage } from "./storage";

const pascal = (name: string) => name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());

/**
 * The notify state machine (DESIGN §2): deliver with Retry (the configured backoff), honour Retry-After,
 * fall back past open breakers, dead-letter the rest. Its retry settings come from the same config file
 * the functions read, so the ASL and the code agree.
 */
export async function createNotify({ storage, secrets }: { storage: Storage; secrets: Secrets }) {
  const aws = await import("@pulumi/aws");
  const identity = aws.getCallerIdentityOutput();
  const region = aws.getRegionOutput();
  const config = loadConfig(process.env);
  // One SSM parameter per webhook receiver's signing secret, resolved at run time like every secret.
  const webhookSecrets = Object.fromEntries(
    config.notification.receivers
      .filter((receiver) => receiver.type === "webhook")
      .map((receiver) => {
        const name = receiver.name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
        return [
          `KUBERNAUT_WEBHOOK_SECRET_${name}_PARAM`,
          `${secrets.prefix}/notify/webhook-${receiver.name}`,
        ];
      }),
  );
  const table = storage.table;
  const parameters = $interpolate`arn:aws:ssm:${region.name}:${identity.accountId}:parameter${secrets.prefix}/notify/*`;

  const functions = Object.fromEntries(
    NOTIFY_FUNCTIONS.map((fn) => [
      fn,
      new sst.aws.Function(`Notify${pascal(fn)}`, {
        runtime: "nodejs22.x",
        architecture: "arm64",
        memory: "256 MB",
        timeout: "30 seconds",
        handler: `functions/notify/${fn}.handler`,
        copyFiles: functionFiles(),
        environment: {
          KUBERNAUT_TABLE: table.name,
          KUBERNAUT_CONFIG: "kubernaut.config.yaml",
          // Slack token and webhook signing secrets: SSM SecureStrings under <prefix>/notify/.
          SLACK_BOT_TOKEN_PARAM: `${secrets.prefix}/notify/slack-bot-token`,
          ...webhookSecrets,
          POWERTOOLS_SERVICE_NAME: "kubernaut-notify",
        },
        permissions: [
          {
            actions: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            resources: [table.arn, $interpolate`${table.arn}/index/*`],
          },
          { actions: ["ssm:GetParameter"], resources: [parameters] },
        ],
      }),
    ]),
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
