import type { Config, ReceiverConfig } from "@kubernaut/config";
import type { Channel } from "./channel";
import { LogChannel } from "./log";
import { SlackChannel } from "./slack";
import { envName, WebhookChannel } from "./webhook";

/**
 * The channel implementations for the configured receivers. Webhook signing secrets come from
 * `KUBERNAUT_WEBHOOK_SECRET_<RECEIVER>` (SSM on AWS) or the receiver's `secret`.
 */
export function createChannels(
  config: () => Config,
  env: Readonly<Record<string, string | undefined>>,
): Record<ReceiverConfig["type"], Channel> {
  const initial = config();
  return {
    ...createPlainChannels(config, env),
    slack: new SlackChannel(initial.slack.botToken, initial.slack.apiUrl),
  };
}

/**
 * The channels that need no client library (the log and webhooks), for a function that must stay small
 * (the every-minute schedule): it delivers to those itself and leaves Slack to the notify machine.
 */
export function createPlainChannels(
  config: () => Config,
  env: Readonly<Record<string, string | undefined>>,
): Pick<Record<ReceiverConfig["type"], Channel>, "log" | "webhook"> {
  const secretFor = (name: string) => {
    const receiver = config().notification.receivers.find((r) => r.name === name);
    return (
      env[`KUBERNAUT_WEBHOOK_SECRET_${envName(name)}`] ??
      (receiver?.type === "webhook" ? receiver.secret : undefined)
    );
  };
  return { log: new LogChannel(), webhook: new WebhookChannel(secretFor) };
}
