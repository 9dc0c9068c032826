import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { opa } from "./opa-cli";

const run = promisify(execFile);

/** The entrypoint every approval policy exposes: the package, so one evaluation returns every rule. */
export const APPROVAL_ENTRYPOINT = "aianalysis/approval";

export class PolicyCompileError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`policy ${path} does not compile: ${detail.trim()}`);
    this.name = "PolicyCompileError";
  }
}

export function sha256(bytes: Buffer | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * `opa build -t wasm` of one Rego file; returns the policy.wasm of the bundle. The wasm embeds source
 * locations, so the file is built from its own directory by name: the same source then compiles to the
 * same bytes wherever the repository is checked out (CI compares them with the committed build).
 */
export async function compileRego(regoPath: string, entrypoint = APPROVAL_ENTRYPOINT): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), "kubernaut-policy-"));
  try {
    const bundle = join(dir, "bundle.tar.gz");
    try {
      await opa(
        ["build", "-t", "wasm", "-e", entrypoint, "-o", bundle, basename(regoPath)],
        dirname(resolve(regoPath)),
      );
    } catch (error) {
      throw new PolicyCompileError(regoPath, compilerMessage(error, regoPath));
    }
    const { stdout } = await run("tar", ["-xzOf", bundle, "/policy.wasm"], {
      encoding: "buffer",
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What the compiler said. `opa build` prints its errors on stdout (stderr stays empty), and names the
 * file as it was given — by its base name, since it runs in the file's directory — so the message is
 * taken from whichever stream has it and the file is named by its full path, with OPA's line number:
 * `policy /x/mine.rego does not compile: /x/mine.rego:3: rego_parse_error: unexpected eof token`.
 */
export function compilerMessage(error: unknown, regoPath: string): string {
  const e = error as { stdout?: string; stderr?: string; message?: string };
  const said = [e.stderr, e.stdout].map((s) => s?.trim()).find((s) => s) ?? e.message ?? String(error);
  const name = basename(regoPath);
  return said
    .replace(/^error: (?:load error: )?\d+ errors? occurred(?: during loading)?: /, "")
    .split(`${name}:`)
    .join(`${resolve(regoPath)}:`);
}

/** Runs `opa test` on a policy and its `_test.rego`; throws with OPA's report when a test fails. */
export async function testRego(files: string[]): Promise<string> {
  try {
    const { stdout } = await opa(["test", "-v", ...files]);
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`opa test failed:\n${e.stdout ?? ""}${e.stderr ?? e.message}`);
  }
}

export function readBytes(path: string): Buffer {
  return readFileSync(path);
}
