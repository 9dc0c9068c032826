import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { BreakerRecordStore, NotificationRecordStore } from "@kubernaut/store";
import { type BreakerState, CLOSED } from "./breaker";
import { NotificationRequest } from "./types";

export type { DeliveryAttempt, DeliveryRecord, DeliveryStatus } from "@kubernaut/store";

/** NotificationRequests and their deliveries in the table (packages/store), validated as notify reads them. */
export class NotificationStore extends NotificationRecordStore<NotificationRequest> {
  constructor(db: DynamoDBDocumentClient, tableName: string, retentionDays: number) {
    super(db, tableName, retentionDays, (item) => NotificationRequest.parse(item));
  }
}

/** Each channel's circuit breaker in the table (packages/store); a channel never written is closed. */
export class BreakerStore extends BreakerRecordStore<BreakerState> {
  constructor(db: DynamoDBDocumentClient, tableName: string) {
    super(db, tableName, CLOSED);
  }
}
