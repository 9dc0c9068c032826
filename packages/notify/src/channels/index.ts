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
  const secretFor = (name: string) => {
    const receiver = config().notification.receivers.find((r) => r.name === name);
    return (
      env[`KUBERNAUT_WEBHOOK_SECRET_${envName(name)}`] ??
      (receiver?.type === "webhook" ? receiver.secret : undefined)
    );
  };
  return {
    log: new LogChannel(),
    slack: new SlackChannel(initial.slack.botToken, initial.slack.apiUrl),
    webhook: new WebhookChannel(secretFor),
  };
}
