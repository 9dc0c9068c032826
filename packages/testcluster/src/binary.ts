import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

/** Why the control plane cannot run here; says what to do about it. */
export class TestClusterUnavailableError extends Error {
  override readonly name = "TestClusterUnavailableError";
  /** What is missing, in one line (`go` is not on PATH, …), without the advice. */
  readonly detail: string;
  constructor(detail: string) {
    super(
      `the test cluster (kube-apiserver, etcd, controllers built from source) is unavailable: ${detail}\n` +
        "Build it with: npm run setup:testcluster (needs Go; the first build takes several minutes)",
    );
    this.detail = detail;
  }
}

export function findRepoRoot(start = import.meta.dirname): string {
  let dir = resolve(start);
  while (!existsSync(join(dir, "package-lock.json"))) {
    const parent = resolve(dir, "..");
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

/** The Go program's sources: tools/testcluster (go.mod, go.sum and the .go files). */
export function testClusterSourceDir(root = findRepoRoot()): string {
  return join(root, "tools", "testcluster");
}

/**
 * A short hash of everything the binary is built from, so a change to go.mod, go.sum or any source
 * builds a new binary and an unchanged tree reuses the cached one.
 */
export function testClusterSourceHash(sourceDir = testClusterSourceDir()): string {
  const hash = createHash("sha256");
  const files = readdirSync(sourceDir)
    .filter((name) => name === "go.mod" || name === "go.sum" || name.endsWith(".go"))
    .sort();
  for (const name of files) {
    hash.update(`${name}\0`);
    hash.update(readFileSync(join(sourceDir, name)));
    hash.update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

/** Where the cached binary for the current sources lives: .kubernaut/bin/testcluster-<hash>. */
export function testClusterBinaryPath(root = findRepoRoot()): string {
  return join(root, ".kubernaut", "bin", `testcluster-${testClusterSourceHash(testClusterSourceDir(root))}`);
}

/** `TESTCLUSTER_BIN`, or the cached binary built from the current sources; undefined when neither exists. */
export function findTestClusterBinary(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  if (env.TESTCLUSTER_BIN) return existsSync(env.TESTCLUSTER_BIN) ? env.TESTCLUSTER_BIN : undefined;
  const cached = testClusterBinaryPath();
  return existsSync(cached) ? cached : undefined;
}

export function requireTestClusterBinary(): string {
  const binary = findTestClusterBinary();
  if (!binary)
    throw new TestClusterUnavailableError(
      process.env.TESTCLUSTER_BIN
        ? `TESTCLUSTER_BIN=${process.env.TESTCLUSTER_BIN} does not exist`
        : `no binary for the current sources at ${testClusterBinaryPath()}`,
    );
  return binary;
}

/** The Go version go.mod asks for (`go 1.26.0`), checked before a build so the error is plain. */
function requiredGoVersion(sourceDir: string): string {
  const match = /^go (\d+\.\d+(?:\.\d+)?)$/m.exec(readFileSync(join(sourceDir, "go.mod"), "utf8"));
  return match?.[1] ?? "0";
}

function versionAtLeast(actual: string, wanted: string): boolean {
  const a = actual.split(".").map(Number);
  const w = wanted.split(".").map(Number);
  for (let i = 0; i < Math.max(a.length, w.length); i++) {
    const diff = (a[i] ?? 0) - (w[i] ?? 0);
    if (diff !== 0) return diff > 0;
  }
  return true;
}

/**
 * Builds tools/testcluster with `go build` into .kubernaut/bin/testcluster-<source hash>, unless that
 * binary exists. Reports progress through `log` (the first build compiles ~2,000 packages of
 * Kubernetes and takes minutes on two cores; Go's build cache makes later ones fast). Older cached
 * binaries are removed: each is ~200 MB.
 */
export async function buildTestCluster(log: (line: string) => void = () => undefined): Promise<string> {
  const root = findRepoRoot();
  const target = testClusterBinaryPath(root);
  if (existsSync(target)) return target;
  const sourceDir = testClusterSourceDir(root);
  const go = spawnSync("go", ["env", "GOVERSION"], { encoding: "utf8" });
  if (go.error || go.status !== 0) throw new TestClusterUnavailableError("`go` is not on PATH");
  const goVersion = go.stdout.trim().replace(/^go/, "");
  const wanted = requiredGoVersion(sourceDir);
  if (!versionAtLeast(goVersion, wanted))
    throw new TestClusterUnavailableError(
      `tools/testcluster/go.mod needs Go ${wanted}; this is Go ${goVersion}`,
    );

  mkdirSync(resolve(target, ".."), { recursive: true });
  const partial = `${target}.partial`;
  log(`building the test cluster with Go ${goVersion} → ${target} (several minutes the first time)…`);
  const started = Date.now();
  let packages = 0;
  let lastReport = started;
  const stderrTail: string[] = [];
  const code = await new Promise<number>((resolvePromise, reject) => {
    // -v prints each package as it is compiled: the only progress signal `go build` gives.
    const child = spawn("go", ["build", "-v", "-o", partial, "."], {
      cwd: sourceDir,
      env: { ...process.env, GOFLAGS: "-buildvcs=false -mod=readonly" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let buffered = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        packages++;
        stderrTail.push(line);
        if (stderrTail.length > 40) stderrTail.shift();
        if (Date.now() - lastReport >= 15_000) {
          lastReport = Date.now();
          log(`  … ${packages} packages compiled, ${Math.round((Date.now() - started) / 1000)} s`);
        }
      }
    });
    child.on("error", reject);
    child.on("close", (exitCode) => resolvePromise(exitCode ?? 1));
  });
  if (code !== 0) {
    rmSync(partial, { force: true });
    throw new TestClusterUnavailableError(`go build failed (exit ${code}):\n${stderrTail.join("\n")}`);
  }
  renameSync(partial, target);
  for (const name of readdirSync(resolve(target, "..")))
    if (name.startsWith("testcluster-") && join(resolve(target, ".."), name) !== target)
      rmSync(join(resolve(target, ".."), name), { force: true });
  log(
    `built in ${Math.round((Date.now() - started) / 1000)} s (${packages} packages compiled, the rest from Go's build cache)`,
  );
  return target;
}
