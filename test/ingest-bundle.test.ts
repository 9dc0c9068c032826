import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");

/** A function bundled the way SST does (esbuild, minified ESM, node22), with its import graph. */
const bundle = async (name: string) => {
  const result = await build({
    entryPoints: [join(ROOT, `functions/${name}.ts`)],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    write: false,
    metafile: true,
    minify: true,
    logLevel: "silent",
  });
  const output = Object.values(result.metafile.outputs)[0];
  // What the bundle carries: the files that put code into the output. Modules the runtime's package
  // index names but the entry never uses are parsed, then dropped (every workspace package is
  // side-effect free), so they cost neither bytes nor cold start.
  const carried = Object.entries(output?.inputs ?? {})
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path);
  return { result, carried };
};

/**
 * DESIGN §2: the ingest function stays small so it cold-starts fast under an alert storm. This bundles
 * it the way SST does (esbuild, ESM, node22) and fails if a heavy client sneaks into its import graph.
 */
describe("the ingest function bundle", () => {
  it("contains no Kubernetes, OPA, Slack or LLM client", async () => {
    // Act
    const { result, carried: inputs } = await bundle("ingest");
    // Assess
    const forbidden = [
      "@kubernetes/client-node",
      "@open-policy-agent",
      "@slack/",
      "client-bedrock",
      "openai",
      // Workspace packages appear by their real paths (the @kubernaut/ names are symlinks).
      "packages/cluster/",
      "packages/agent/",
      "packages/policy/",
      "packages/llm/",
      "packages/intake/",
      // Deciding approvals (the console's decisions too), and the HTTP package's Slack group.
      "packages/approvals/",
      "packages/api/src/slack/",
    ];
    for (const name of forbidden) {
      expect(
        inputs.filter((path) => path.includes(name)),
        name,
      ).toEqual([]);
    }
    expect(inputs.some((path) => path.includes("packages/ingest/src/ingest-signal.ts"))).toBe(true);
    expect(inputs.some((path) => path.includes("packages/api/src/intake/routes.ts"))).toBe(true);
    const bytes = result.outputFiles[0]?.contents.byteLength ?? 0;
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(2_000_000);
  });

  it("the every-minute schedule (outbox sweep + effectiveness monitor) carries no OPA, Slack or LLM client", async () => {
    const { carried: inputs } = await bundle("schedule");
    for (const name of [
      "@open-policy-agent",
      "@slack/",
      "client-bedrock",
      "packages/llm/",
      "packages/policy/",
    ])
      expect(
        inputs.filter((path) => path.includes(name)),
        name,
      ).toEqual([]);
    expect(inputs.some((path) => path.includes("packages/approvals/src/deliver.ts"))).toBe(true);
    expect(inputs.some((path) => path.includes("packages/effectiveness/src"))).toBe(true);
  });
});
