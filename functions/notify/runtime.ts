import { resolveSecretParameters } from "@kubernaut/config";
import { BreakerStore, createChannels, createNotifyHandlers, NotificationStore } from "@kubernaut/notify";
import { createDynamoClient, documentClient } from "@kubernaut/store";
import { loadRuntimeConfig } from "../runtime";

/** Shared by the notify state machine's task Lambdas. */
const config = await loadRuntimeConfig();
const db = documentClient(createDynamoClient(config.storage));
export const notifyTasks = createNotifyHandlers({
  config: () => config,
  notifications: new NotificationStore(db, config.storage.tableName, config.retention.remediationDays),
  breakers: new BreakerStore(db, config.storage.tableName),
  channels: createChannels(() => config, await resolveSecretParameters(process.env)),
});
