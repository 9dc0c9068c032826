import { statSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError, DEFAULT_CONFIG_FILE, loadConfig } from "./load";
import type { Config } from "./schema";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Checks a process adds to the schema's: what only the process can know, such as whether the files a
 * config names exist where it runs. Returns problems in the schema's style (`key: what is wrong`).
 */
export type ConfigCheck = (config: Config) => string[];

/** The config file a process reads: `KUBERNAUT_CONFIG`, or kubernaut.config.yaml in `cwd`. */
export function configPath(env: Env = process.env, cwd = process.cwd()): string {
  return resolve(cwd, env.KUBERNAUT_CONFIG ?? DEFAULT_CONFIG_FILE);
}

/**
 * A config that follows its file: read again when the file's modification time changes, so a change
 * applies to the next remediation without a restart. A broken edit — invalid in the schema or refused
 * by `check` (a policy file that is not there) — is reported and the last good config stays in force:
 * a typo must not switch a safety off. At start-up the same problems are thrown, so they fail it.
 */
export function watchedConfig(
  env: Env = process.env,
  cwd = process.cwd(),
  onError: (error: unknown) => void = () => undefined,
  check: ConfigCheck = () => [],
): () => Config {
  const path = configPath(env, cwd);
  const mtime = () => {
    try {
      return statSync(path).mtimeMs;
    } catch {
      return -1;
    }
  };
  const load = () => {
    const config = loadConfig(env, cwd);
    const problems = check(config);
    if (problems.length > 0) throw new ConfigError(path, problems);
    return config;
  };
  let current = load();
  let seen = mtime();
  return () => {
    const now = mtime();
    if (now !== seen) {
      seen = now;
      try {
        current = load();
      } catch (error) {
        onError(error);
      }
    }
    return current;
  };
}
