import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

interface PackageJson {
  engines: { node: string };
  allowScripts?: Record<string, boolean>;
}
interface Lockfile {
  packages: Record<string, { hasInstallScript?: boolean }>;
}

/** `npm install` on a fresh clone: what the README promises is what package.json declares, quietly. */
describe("installing", () => {
  const pkg = JSON.parse(read("package.json")) as PackageJson;

  it("declares the Node version the README names (npm runs on it; scripts run on the node devDependency)", () => {
    const readme = /Requirements: Node\.js (\d+)\+/.exec(read("README.md"))?.[1];
    expect(readme).toBeDefined();
    expect(pkg.engines.node).toBe(`>=${readme}`);
  });

  it("allows every install script in the lockfile, so an npm that blocks unlisted ones still installs", () => {
    const lock = JSON.parse(read("package-lock.json")) as Lockfile;
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path.replace(/^.*node_modules\//, ""));
    expect(withScripts.length).toBeGreaterThan(0);
    for (const name of withScripts) expect(pkg.allowScripts?.[name], name).toBe(true);
  });

  it("keeps dependency engine warnings out of the install output, with a comment saying why", () => {
    const npmrc = read(".npmrc");
    expect(npmrc).toMatch(/^loglevel=error$/m);
    expect(npmrc).toMatch(/^# .*EBADENGINE/m);
  });
});
