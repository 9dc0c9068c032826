import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const PACKAGES = join(import.meta.dirname, "..", "packages");

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const packages = readdirSync(PACKAGES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

const manifest = (dir: string) =>
  JSON.parse(readFileSync(join(PACKAGES, dir, "package.json"), "utf8")) as PackageJson;

/** Every TypeScript file under a package's src, with its path relative to the package. */
const sources = (dir: string) =>
  readdirSync(join(PACKAGES, dir, "src"), { recursive: true, encoding: "utf8" })
    .filter((path) => path.endsWith(".ts"))
    .map((path) => ({ path, text: readFileSync(join(PACKAGES, dir, "src", path), "utf8") }));

/** A static, type-only, re-export or dynamic import of the api package or one of its entry points. */
const IMPORTS_API = /(?:from\s*|import\s*\(\s*|import\s+)["']@kubernaut\/api(?:\/[^"']*)?["']/;

/**
 * The API is a door (Hono route groups), not a library: what another door shares with it (deciding an
 * approval, the trust ladder's actions, ingest, the HTTP edge) lives in its own package. Only the
 * composition roots, which build every door, may depend on it — so a door never loads another door's
 * routes, and a concept has one home.
 */
const MAY_DEPEND_ON_API = new Set(["api", "runtime", "local"]);

describe("who depends on @kubernaut/api", () => {
  const others = packages.filter((dir) => !MAY_DEPEND_ON_API.has(dir));

  it("finds the packages to check, the composition roots among them", () => {
    expect(packages).toEqual(expect.arrayContaining(["api", "runtime", "local", "console"]));
    expect(others.length).toBeGreaterThan(10);
  });

  it.each(others)("%s does not list it in package.json", (dir) => {
    // Prepare
    const pkg = manifest(dir);
    // Act
    const listed = [pkg.dependencies, pkg.devDependencies, pkg.peerDependencies].flatMap((deps) =>
      Object.keys(deps ?? {}).filter((name) => name === "@kubernaut/api"),
    );
    // Assess
    expect(listed).toEqual([]);
  });

  it.each(others)("%s does not import it from src", (dir) => {
    // Act
    const importing = sources(dir)
      .filter(({ text }) => IMPORTS_API.test(text))
      .map(({ path }) => path);
    // Assess
    expect(importing).toEqual([]);
  });

  it.each([
    ['import { decideApproval } from "@kubernaut/api";', true],
    ['import type { DecisionDeps } from "@kubernaut/api";', true],
    ['export { TrustChange } from "@kubernaut/api";', true],
    ['import { deliverPendingDecisions } from "@kubernaut/api/outbox";', true],
    ['const api = await import("@kubernaut/api");', true],
    ['import "@kubernaut/api";', true],
    ['import { decideApproval } from "@kubernaut/approvals";', false],
    ['import { ApiError } from "@kubernaut/http";', false],
  ])("recognises an import of it: %s → %s", (line, expected) => {
    expect(IMPORTS_API.test(line)).toBe(expected);
  });
});
