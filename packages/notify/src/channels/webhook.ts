import { createHmac } from "node:crypto";
import type { NotificationRequest } from "../types";
import type { Channel, DeliveryTarget, MessageRef } from "./channel";
import { DeliveryError, errorForStatus } from "./errors";

export const SIGNATURE_HEADER = "x-kubernaut-signature";
export const TIMESTAMP_HEADER = "x-kubernaut-timestamp";

/**
 * `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`: the timestamp is signed too, so a receiver
 * can refuse replays (the same scheme as Slack's request signing).
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** Generic webhook: the notification as JSON, signed. */
export class WebhookChannel implements Channel {
  constructor(
    private readonly secretFor: (receiver: string) => string | undefined,
    private readonly timeoutMs = 10_000,
  ) {}

  async deliver(notification: NotificationRequest, target: DeliveryTarget): Promise<MessageRef> {
    const { receiver } = target;
    if (receiver.type !== "webhook")
      throw new DeliveryError("permanent", `${receiver.name} is not a webhook receiver`);
    const secret = this.secretFor(receiver.name);
    if (!secret) {
      throw new DeliveryError(
        "permanent",
        `receiver ${receiver.name} has no signing secret (set its secret or KUBERNAUT_WEBHOOK_SECRET_${envName(receiver.name)})`,
      );
    }
    const body = JSON.stringify({
      id: notification.id,
      type: notification.type,
      priority: notification.priority,
      subject: notification.subject,
      body: notification.body,
      context: notification.context,
      createdAt: notification.createdAt,
    });
    const timestamp = Math.floor(Date.now() / 1000).toString();
    let response: Response;
    try {
      response = await fetch(receiver.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
          "user-agent": "kubernaut-notify",
        },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new DeliveryError(
        "transient",
        `webhook ${receiver.name} unreachable: ${(error as Error).message}`,
      );
    }
    if (!response.ok) {
      throw errorForStatus(response.status, `webhook ${receiver.name}`, response.headers.get("retry-after"));
    }
    return { status: String(response.status) };
  }
}

export function envName(receiver: string): string {
  return receiver.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}
