import { spawnSync } from "node:child_process";
import { committedWasmFor, findOpa, installOpa, OPA_VERSION } from "@kubernaut/policy";

/** Whether a policy file can only be used after compiling it with the OPA CLI. */
export function needsOpa(path: string): boolean {
  if (!path.endsWith(".rego")) return false;
  try {
    return committedWasmFor(path) === undefined;
  } catch {
    return false; // unreadable: the path checks and the policy store say so
  }
}

export type OpaSetup =
  | { state: "notNeeded" }
  | { state: "present"; path: string }
  | { state: "built"; path: string }
  | { state: "missing"; advice: string };

/**
 * The OPA CLI for the configured policies. The shipped policies need none (their wasm is committed); a
 * custom `.rego` does. With Go present it is built here as `npm run setup:opa` would (into
 * .kubernaut/bin, about a minute the first time); without Go the answer says in one line what to do,
 * and the policy stays degraded (approval required) until then.
 */
export async function ensureOpaFor(
  policies: readonly string[],
  log: (line: string) => void = () => undefined,
  goAvailable = () => !spawnSync("go", ["version"], { encoding: "utf8" }).error,
): Promise<OpaSetup> {
  const custom = policies.filter(needsOpa);
  if (custom.length === 0) return { state: "notNeeded" };
  const existing = findOpa();
  if (existing) return { state: "present", path: existing };
  const advice = `${custom.join(", ")} needs the OPA CLI ${OPA_VERSION}: install Go 1.24+ and run npm run setup:opa (or name a compiled .wasm); until then it is unusable and every remediation asks for approval`;
  if (!goAvailable()) return { state: "missing", advice };
  log(
    `building the OPA CLI ${OPA_VERSION} for ${custom.join(", ")} (npm run setup:opa; about a minute the first time)…`,
  );
  try {
    return { state: "built", path: await installOpa(log) };
  } catch (error) {
    return {
      state: "missing",
      advice: `${advice} (building it failed: ${(error as Error).message.split("\n")[0]})`,
    };
  }
}
