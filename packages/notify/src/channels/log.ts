import { logger } from "@kubernaut/telemetry";
import type { NotificationRequest } from "../types";
import type { Channel, MessageRef } from "./channel";

/** The channel of last resort: it cannot fail, so an open breaker elsewhere still leaves a trace. */
export class LogChannel implements Channel {
  async deliver(notification: NotificationRequest): Promise<MessageRef> {
    logger.info(`notification ${notification.type}: ${notification.subject}`, {
      notificationId: notification.id,
      priority: notification.priority,
      body: notification.body,
      context: notification.context,
    });
    return {};
  }
}
