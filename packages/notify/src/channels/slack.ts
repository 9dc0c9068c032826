import { ErrorCode, type WebAPICallError, WebClient } from "@slack/web-api";
import { approvalBlocks, notificationBlocks } from "../slack-blocks";
import type { NotificationRequest } from "../types";
import type { Channel, DeliveryTarget, MessageRef } from "./channel";
import { DeliveryError } from "./errors";

/** Slack error codes that will not fix themselves: retrying them only delays the dead letter. */
const PERMANENT_SLACK_ERRORS = new Set([
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "missing_scope",
  "invalid_blocks",
  "msg_too_long",
  "no_text",
  "message_not_found",
  "cant_update_message",
]);

/**
 * Slack through the official Web API client with its own retries off: the notify state machine owns
 * retrying, so every attempt is visible in the delivery history and the breaker sees each failure.
 */
export class SlackChannel implements Channel {
  private readonly client: WebClient;

  constructor(token: string | undefined, apiUrl: string) {
    this.client = new WebClient(token, {
      slackApiUrl: apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: 10_000,
    });
  }

  async deliver(notification: NotificationRequest, target: DeliveryTarget): Promise<MessageRef> {
    const channel =
      target.channel ?? (target.receiver.type === "slack" ? target.receiver.channel : undefined);
    if (!channel)
      throw new DeliveryError("permanent", `receiver ${target.receiver.name} names no Slack channel`);
    if (target.replaceRef?.ts && target.replaceRef.channel) {
      // An update of a message already posted: rewrite it (this also removes an approval's buttons).
      await this.update({ channel: target.replaceRef.channel, ts: target.replaceRef.ts }, notification);
      return target.replaceRef;
    }
    const blocks =
      notification.type === "Approval" ? approvalBlocks(notification) : notificationBlocks(notification);
    try {
      const result = await this.client.chat.postMessage({ channel, text: notification.subject, blocks });
      return { channel: result.channel ?? channel, ts: result.ts ?? "" };
    } catch (error) {
      throw slackError(error);
    }
  }

  /** Rewrites a message already posted (an approval that was decided or expired). */
  async update(ref: { channel: string; ts: string }, notification: NotificationRequest): Promise<void> {
    try {
      await this.client.chat.update({
        channel: ref.channel,
        ts: ref.ts,
        text: notification.subject,
        blocks: notificationBlocks(notification),
      });
    } catch (error) {
      throw slackError(error);
    }
  }
}

function slackError(error: unknown): DeliveryError {
  const e = error as WebAPICallError & {
    statusCode?: number;
    retryAfter?: number;
    data?: { error?: string };
  };
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      return new DeliveryError("rateLimited", "Slack rate limited the call", 429, e.retryAfter ?? 30);
    case ErrorCode.PlatformError: {
      const code = e.data?.error ?? "unknown_error";
      return PERMANENT_SLACK_ERRORS.has(code)
        ? new DeliveryError("permanent", `Slack refused: ${code}`)
        : new DeliveryError("transient", `Slack error: ${code}`);
    }
    case ErrorCode.HTTPError: {
      const status = e.statusCode ?? 500;
      return status >= 400 && status < 500 && status !== 429
        ? new DeliveryError("permanent", `Slack answered ${status}`, status)
        : new DeliveryError("transient", `Slack answered ${status}`, status);
    }
    default:
      return new DeliveryError("transient", `Slack unreachable: ${(error as Error).message}`);
  }
}
