import { createApiApp } from "@kubernaut/api";
import {
  createDynamoClient,
  documentClient,
  SuggestionStore,
  SystemAuditStore,
  TrustStore,
} from "@kubernaut/store";
import { CATALOG } from "@kubernaut/workflows";
import { handle } from "hono/aws-lambda";
import { createStore, loadRuntimeConfig } from "./runtime";

/** Read routes, health, workflow trust, suggestions and the kill switch (DESIGN §9). */
const config = await loadRuntimeConfig();
const db = documentClient(createDynamoClient(config.storage));
export const handler = handle(
  createApiApp({
    config,
    store: createStore(config),
    trust: {
      config: () => config,
      store: createStore(config),
      trust: new TrustStore(db, config.storage.tableName),
      systemAudit: new SystemAuditStore(db, config.storage.tableName, config.retention.auditDays),
      catalog: CATALOG,
      suggestions: new SuggestionStore(db, config.storage.tableName),
    },
  }),
);
