import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface LocalSecrets {
  webhookToken: string;
  adminToken: string;
  /** Signs the console's session cookies (KUBERNAUT_CONSOLE_SECRET wins). */
  consoleSecret: string;
}

/**
 * The local loop's webhook and admin tokens and the console's session secret: from the environment when set, otherwise generated once
 * and kept (mode 600) under .kubernaut/, so the printed curl keeps working across restarts.
 */
export function localSecrets(file: string, env: Readonly<Record<string, string | undefined>>): LocalSecrets {
  let stored: Partial<LocalSecrets> = {};
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, "utf8")) as Partial<LocalSecrets>;
  const secrets: LocalSecrets = {
    webhookToken:
      env.KUBERNAUT_WEBHOOK_TOKEN ?? stored.webhookToken ?? `whk_${randomBytes(18).toString("base64url")}`,
    adminToken:
      env.KUBERNAUT_ADMIN_TOKEN ?? stored.adminToken ?? `adm_${randomBytes(18).toString("base64url")}`,
    consoleSecret: env.KUBERNAUT_CONSOLE_SECRET ?? stored.consoleSecret ?? randomBytes(32).toString("hex"),
  };
  if (
    secrets.webhookToken !== stored.webhookToken ||
    secrets.adminToken !== stored.adminToken ||
    secrets.consoleSecret !== stored.consoleSecret
  ) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets;
}
