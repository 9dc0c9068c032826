import type { ReceiverConfig } from "@kubernaut/config";
import type { NotificationRequest } from "../types";

export interface DeliveryTarget {
  receiver: ReceiverConfig;
  /** The Slack channel the route chose. */
  channel?: string;
  /** Where the notification being replaced was delivered on this receiver, if it was. */
  replaceRef?: MessageRef;
}

/** What a channel returns so the message can be found again (Slack's channel + ts for chat.update). */
export type MessageRef = Record<string, string>;

/** A way out: Slack, a webhook, the log. Throws DeliveryError; never retries by itself. */
export interface Channel {
  deliver(notification: NotificationRequest, target: DeliveryTarget): Promise<MessageRef>;
}
