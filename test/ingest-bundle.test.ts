import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");

/** A function bundled the way SST does (esbuild, minified ESM, node22), with its import graph. */
const bundle = (name: string) =>
  build({
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

/**
 * DESIGN §2: the ingest function stays small so it cold-starts fast under an alert storm. This bundles
 * it the way SST does (esbuild, ESM, node22) and fails if a heavy client sneaks into its import graph.
 */
describe("the ingest function bundle", () => {
  it("contains no Kubernetes, OPA, Slack or LLM client", async () => {
    // Act
    const result = await bundle("ingest");
    // Assess
    const inputs = Object.keys(result.metafile.inputs);
    const forbidden = [
      "@kubernetes/client-node",
      "@open-policy-agent",
      "@slack/",
      "client-bedrock",
      "openai",
      "@kubernaut/cluster",
      "@kubernaut/agent",
      "@kubernaut/policy",
      "@kubernaut/llm",
      "@kubernaut/intake",
    ];
    for (const name of forbidden) {
      expect(
        inputs.filter((path) => path.includes(name)),
        name,
      ).toEqual([]);
    }
    expect(inputs.some((path) => path.includes("packages/api/src/ingest/ingest-signal.ts"))).toBe(true);
    expect(inputs.some((path) => path.includes("packages/api/src/intake/routes.ts"))).toBe(true);
    const bytes = result.outputFiles[0]?.contents.byteLength ?? 0;
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(2_000_000);
  });

  it("the every-minute schedule (outbox sweep + effectiveness monitor) carries no OPA, Slack or LLM client", async () => {
    const result = await bundle("schedule");
    const inputs = Object.keys(result.metafile.inputs);
    for (const name of [
      "@open-policy-agent",
      "@slack/",
      "client-bedrock",
      "@kubernaut/llm",
      "@kubernaut/policy",
    ])
      expect(
        inputs.filter((path) => path.includes(name)),
        name,
      ).toEqual([]);
    expect(inputs.some((path) => path.includes("packages/api/src/approvals/deliver.ts"))).toBe(true);
    expect(inputs.some((path) => path.includes("packages/effectiveness/src"))).toBe(true);
  });
});
