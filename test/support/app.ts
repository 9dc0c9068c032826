import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { createApp } from "@kubernaut/api";
import type { Config, ConfigInput } from "@kubernaut/config";
import { RecordingStarter } from "./starter";
import { createTestStore, testConfig, WEBHOOK_TOKEN } from "./store";

/** The real Hono app on a fresh DynamoDB Local table, with a recording Step Functions starter. */
export async function createTestApp(input: ConfigInput = {}, options: { now?: () => Date } = {}) {
  const config: Config = testConfig(input);
  const { db, store, client } = await createTestStore(config);
  const starter = new RecordingStarter();
  const app = createApp({ config, store, starter, ...(options.now ? { now: options.now } : {}) });

  const postAlerts = (body: unknown, token: string | null = WEBHOOK_TOKEN) =>
    app.request("/api/v1/signals/prometheus", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  /** Every item in the table: the ground truth for "nothing was written". */
  const allItems = async () => {
    const { Items = [] } = await db.send(
      new ScanCommand({ TableName: config.storage.tableName, ConsistentRead: true }),
    );
    return Items;
  };
  const remediationItems = async () => (await allItems()).filter((item) => item.sk === "RR");

  return { app, config, store, starter, db, client, postAlerts, allItems, remediationItems };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;
