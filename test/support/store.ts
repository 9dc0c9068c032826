import { randomBytes } from "node:crypto";
import { type Config, type ConfigInput, parseConfig, sha256Hex as sha256 } from "@kubernaut/config";
import { createDynamoClient, documentClient, ensureTable, RemediationStore } from "@kubernaut/store";
import { inject } from "vitest";

/** A fresh table on the shared DynamoDB Local, so test files never see each other's items. */
export async function createTestStore(config: Config) {
  const client = createDynamoClient({ region: config.storage.region, endpoint: inject("dynamoEndpoint") });
  await ensureTable(client, config.storage.tableName);
  const db = documentClient(client);
  const store = new RemediationStore(db, {
    tableName: config.storage.tableName,
    remediationRetentionDays: config.retention.remediationDays,
    auditRetentionDays: config.retention.auditDays,
  });
  return { client, db, store };
}

export const WEBHOOK_TOKEN = "test-webhook-token-0123456789";
export const ADMIN_TOKEN = "test-admin-token";
export const VIEWER_TOKEN = "test-viewer-token";

/** A valid config with a unique table name and known tokens; `input` overrides any key. */
export function testConfig(input: ConfigInput = {}): Config {
  return parseConfig(
    {
      ...input,
      // Level 2 is tested on purpose; elsewhere workflows start at `approve` so Levels 3–4 are reachable.
      remediationOrchestrator: { newWorkflowsDryRun: false, ...input.remediationOrchestrator },
      storage: { tableName: `t-${randomBytes(6).toString("hex")}`, ...input.storage },
      auth: {
        webhookToken: WEBHOOK_TOKEN,
        apiTokens: [
          { name: "viewer", role: "viewer", sha256: sha256(VIEWER_TOKEN) },
          ...(input.auth?.apiTokens ?? []),
        ],
        ...(input.auth?.webhookToken ? { webhookToken: input.auth.webhookToken } : {}),
      },
    },
    { KUBERNAUT_ADMIN_TOKEN: ADMIN_TOKEN },
    "test",
  );
}
