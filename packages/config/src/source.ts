import { statSync } from "node:fs";
import { resolve } from "node:path";
import { DEFAULT_CONFIG_FILE, loadConfig } from "./load";
import type { Config } from "./schema";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * A config that follows its file: read again when the file's modification time changes, so a change
 * applies to the next remediation without a restart. A broken edit is reported and the last good
 * config stays in force — a typo must not switch a safety off.
 */
export function watchedConfig(
  env: Env = process.env,
  cwd = process.cwd(),
  onError: (error: unknown) => void = () => undefined,
): () => Config {
  const path = resolve(cwd, env.KUBERNAUT_CONFIG ?? DEFAULT_CONFIG_FILE);
  const mtime = () => {
    try {
      return statSync(path).mtimeMs;
    } catch {
      return -1;
    }
  };
  let current = loadConfig(env, cwd);
  let seen = mtime();
  return () => {
    const now = mtime();
    if (now !== seen) {
      seen = now;
      try {
        current = loadConfig(env, cwd);
      } catch (error) {
        onError(error);
      }
    }
    return current;
  };
}
