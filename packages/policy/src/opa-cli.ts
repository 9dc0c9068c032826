import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The OPA CLI version the project builds and tests its policies with (pinned: wasm output must not drift). */
export const OPA_VERSION = "v1.22.3";
const OPA_MODULE = `github.com/open-policy-agent/opa@${OPA_VERSION}`;

export class OpaUnavailableError extends Error {
  constructor(detail: string) {
    super(
      `the OPA CLI ${OPA_VERSION} is needed to build or test Rego policies: ${detail}\n` +
        `Install it with: go install ${OPA_MODULE} (Go 1.24+), or run: npm run setup:opa\n` +
        "The shipped policies run without it: their compiled wasm is committed under packages/policy/compiled/.",
    );
    this.name = "OpaUnavailableError";
  }
}

/** Where `npm run setup:opa` installs the CLI: inside the project, so nothing global is touched. */
export function projectOpaPath(root = findRepoRoot()): string {
  return join(root, ".kubernaut", "bin", "opa");
}

function findRepoRoot(start = import.meta.dirname): string {
  let dir = resolve(start);
  while (!existsSync(join(dir, "package-lock.json"))) {
    const parent = resolve(dir, "..");
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

function versionOf(binary: string): string | undefined {
  const result = spawnSync(binary, ["version"], { encoding: "utf8" });
  if (result.error || result.status !== 0) return undefined;
  return /Version:\s*(\S+)/.exec(result.stdout)?.[1];
}

/**
 * Finds the pinned OPA CLI: `OPA_BIN`, the project's own .kubernaut/bin/opa, ~/go/bin/opa, then PATH.
 * A different version is not used, because `opa build` output must match the committed wasm.
 */
export function findOpa(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const candidates = [
    env.OPA_BIN,
    projectOpaPath(),
    join(env.GOBIN ?? join(homedir(), "go", "bin"), "opa"),
    "opa",
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    if (candidate !== "opa" && !existsSync(candidate)) continue;
    if (versionOf(candidate) === OPA_VERSION.replace(/^v/, "")) return candidate;
  }
  return undefined;
}

/** Installs the pinned CLI into .kubernaut/bin with `go install` (the Go module proxy serves it). */
export async function installOpa(log: (line: string) => void = () => undefined): Promise<string> {
  const existing = findOpa();
  if (existing) return existing;
  const go = spawnSync("go", ["version"], { encoding: "utf8" });
  if (go.error) throw new OpaUnavailableError("`go` is not on PATH, so it cannot be installed from source");
  const target = projectOpaPath();
  mkdirSync(resolve(target, ".."), { recursive: true });
  log(`installing OPA ${OPA_VERSION} with ${go.stdout.trim()} (about a minute the first time)…`);
  try {
    await run("go", ["install", OPA_MODULE], {
      env: { ...process.env, GOBIN: resolve(target, ".."), GOFLAGS: "-buildvcs=false" },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    throw new OpaUnavailableError(
      `go install failed: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`,
    );
  }
  const installed = findOpa();
  if (!installed)
    throw new OpaUnavailableError(`go install finished but ${target} does not report ${OPA_VERSION}`);
  return installed;
}

export function requireOpa(): string {
  const opa = findOpa();
  if (!opa) throw new OpaUnavailableError("it was not found (OPA_BIN, .kubernaut/bin, ~/go/bin, PATH)");
  return opa;
}

export async function opa(args: string[], cwd?: string): Promise<{ stdout: string; stderr: string }> {
  return run(requireOpa(), args, { cwd, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" });
}
