import { type Config, loadConfig, resolveSecretParameters } from "@kubernaut/config";
import { createDynamoClient, documentClient, RemediationStore } from "@kubernaut/store";
import { forwardMetricsToCloudWatch } from "@kubernaut/telemetry";

// Every function of this app reports its metrics as CloudWatch EMF (the local loop serves /metrics).
if (process.env.AWS_LAMBDA_FUNCTION_NAME) forwardMetricsToCloudWatch();

/**
 * The composition root every Lambda shares: configuration (file + environment + SSM secrets) is parsed
 * once per container and passed in; no package reads `process.env` itself.
 */
export async function loadRuntimeConfig(): Promise<Config> {
  return loadConfig(await resolveSecretParameters(process.env));
}

/** One document client per container, shared by every store a function builds. */
let shared: ReturnType<typeof documentClient> | undefined;
export function documentClientFor(config: Config) {
  shared ??= documentClient(createDynamoClient(config.storage));
  return shared;
}

export function createStore(config: Config): RemediationStore {
  const db = documentClientFor(config);
  return new RemediationStore(db, {
    tableName: config.storage.tableName,
    remediationRetentionDays: config.retention.remediationDays,
    auditRetentionDays: config.retention.auditDays,
  });
}

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set (the SST stack sets it)`);
  return value;
}
