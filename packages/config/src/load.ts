import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { z } from "zod";
import { type Config, ConfigSchema } from "./schema";

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid configuration in ${source}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export const DEFAULT_CONFIG_FILE = "kubernaut.config.yaml";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Validates a config document. Secrets may come from the environment instead of the file (on AWS they
 * come from SSM through Powertools Parameters and are passed in the same way), and the environment wins.
 */
export function parseConfig(document: unknown, env: Env = {}, source = "config"): Config {
  const input = withEnvOverrides(document ?? {}, env, source);
  const result = ConfigSchema.safeParse(input);
  if (!result.success) throw new ConfigError(source, describeIssues(result.error));
  const config = result.data;
  // Links in notifications point at this installation: unless configured, at the port it listens on
  // (PORT included), not at the default 8787.
  const notification = (input as { notification?: { baseUrl?: unknown } | null }).notification;
  if (notification?.baseUrl === undefined) {
    config.notification.baseUrl = `http://127.0.0.1:${config.server.port}`;
  }
  return config;
}

/** Reads `KUBERNAUT_CONFIG` or ./kubernaut.config.yaml; an absent default file means all defaults. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const explicit = env.KUBERNAUT_CONFIG;
  const path = resolve(cwd, explicit ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(path)) {
    if (explicit) throw new ConfigError(path, [`KUBERNAUT_CONFIG names a file that does not exist`]);
    return parseConfig({}, env, "defaults");
  }
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, "utf8"));
  } catch (error) {
    const detail = error instanceof YAMLParseError ? error.message : String(error);
    throw new ConfigError(path, [`not valid YAML: ${detail}`]);
  }
  return parseConfig(document, env, path);
}

function withEnvOverrides(document: unknown, env: Env, source: string): unknown {
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new ConfigError(source, ["the document must be a mapping of keys"]);
  }
  const doc = structuredClone(document) as Record<string, Record<string, unknown> | undefined>;
  const section = (name: string): Record<string, unknown> => {
    const existing = doc[name];
    if (existing === undefined || existing === null) doc[name] = {};
    return doc[name] as Record<string, unknown>;
  };
  if (env.KUBERNAUT_WEBHOOK_TOKEN) section("auth").webhookToken = env.KUBERNAUT_WEBHOOK_TOKEN;
  if (env.SLACK_SIGNING_SECRET) section("slack").signingSecret = env.SLACK_SIGNING_SECRET;
  if (env.SLACK_BOT_TOKEN) section("slack").botToken = env.SLACK_BOT_TOKEN;
  if (env.SLACK_API_URL) section("slack").apiUrl = env.SLACK_API_URL;
  if (env.PORT) section("server").port = Number(env.PORT);
  if (env.KUBERNAUT_TABLE) section("storage").tableName = env.KUBERNAUT_TABLE;
  if (env.DYNAMODB_ENDPOINT) section("storage").endpoint = env.DYNAMODB_ENDPOINT;
  if (env.KUBERNAUT_API_TOKENS) {
    // On AWS the API tokens (already hashed) come from one SSM parameter as a JSON list.
    const auth = section("auth");
    let listed: unknown;
    try {
      listed = JSON.parse(env.KUBERNAUT_API_TOKENS);
    } catch {
      throw new ConfigError(source, [
        "KUBERNAUT_API_TOKENS: not a JSON list of {name, role, sha256, scopes}",
      ]);
    }
    auth.apiTokens = [
      ...(Array.isArray(auth.apiTokens) ? auth.apiTokens : []),
      ...(Array.isArray(listed) ? listed : [listed]),
    ];
  }
  if (env.KUBERNAUT_ADMIN_TOKEN) {
    // The local loop's admin token (printed by `npm start`); stored hashed like every other token.
    const auth = section("auth");
    const tokens = Array.isArray(auth.apiTokens) ? auth.apiTokens : [];
    auth.apiTokens = [
      ...tokens,
      { name: "local-admin", role: "admin", sha256: sha256Hex(env.KUBERNAUT_ADMIN_TOKEN) },
    ];
  }
  return doc;
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const key = issue.path.join(".") || "(root)";
    if (issue.code === "unrecognized_keys") {
      return `${key === "(root)" ? "" : `${key}: `}unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    }
    return `${key}: ${issue.message}`;
  });
}
