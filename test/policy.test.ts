import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "@kubernaut/cli";
import {
  ApprovalPolicy,
  compileRego,
  entrypointOf,
  FilePolicyStore,
  type PolicyInput,
  readManifest,
  SHIPPED_POLICIES,
  sha256,
  sourcePath,
  testPath,
  testRego,
  wasmPath,
} from "@kubernaut/policy";
import { describe, expect, it, vi } from "vitest";

const base: PolicyInput = {
  environment: "Staging",
  confidence: 0.9,
  confidence_threshold: 0.8,
  severity: "critical",
  signal_type: "PodCrashLooping",
  business_priority: "P1",
  action_type: "RollbackDeployment",
  target_resource: { kind: "Deployment", name: "api", namespace: "staging" },
  remediation_target: { kind: "Deployment", name: "api", namespace: "staging" },
  detected_labels: { workflow_name: "crashloop-rollback-v1" },
  custom_labels: {},
  business_classification: {},
  warnings: [],
  failed_detections: [],
  workflow_trust_level: "approve",
};

describe("the shipped Rego policies", () => {
  it.each(SHIPPED_POLICIES)("%s passes its Rego unit tests with the real OPA CLI", async (name) => {
    const report = await testRego([sourcePath(name), testPath(name)]);
    expect(report).toMatch(/PASS: (\d+)\/\1/);
  });

  it.each(SHIPPED_POLICIES)("the committed %s.wasm is exactly what its source compiles to", async (name) => {
    const built = await compileRego(sourcePath(name), entrypointOf(name));
    const committed = readFileSync(wasmPath(name));
    expect(sha256(built)).toBe(sha256(committed));
    expect(readManifest()[name]).toMatchObject({
      sourceSha256: sha256(readFileSync(sourcePath(name))),
      wasmSha256: sha256(committed),
    });
  });
});

describe("evaluation with opa-wasm (starter policy)", () => {
  it.each<{ case: string; input: Partial<PolicyInput>; requireApproval: boolean; reason: string }>([
    {
      case: "staging, high confidence",
      input: {},
      requireApproval: false,
      reason: "auto-approved: non-production target with high confidence",
    },
    {
      case: "production",
      input: { environment: "Production" },
      requireApproval: true,
      reason: "production environment",
    },
    {
      case: "unknown environment",
      input: { environment: "Unknown" },
      requireApproval: true,
      reason: "environment unknown (treated like production)",
    },
    {
      case: "a node",
      input: { remediation_target: { kind: "Node", name: "w1", namespace: "" } },
      requireApproval: true,
      reason: "sensitive target kind Node",
    },
    {
      case: "below the configured threshold",
      input: { confidence: 0.85, confidence_threshold: 0.9 },
      requireApproval: true,
      reason: "confidence 0.85 below threshold 0.9",
    },
    {
      case: "graduated to automate, in production",
      input: { environment: "Production", workflow_trust_level: "automate" },
      requireApproval: false,
      reason: "auto-approved: workflow graduated to automate",
    },
  ])("$case", async ({ input, requireApproval, reason }) => {
    const policy = await ApprovalPolicy.load(readFileSync(wasmPath("starter")), "starter");
    const outcome = policy.evaluate({ ...base, ...input });
    expect(outcome).toEqual({
      requireApproval,
      reason,
      deny: false,
      degraded: false,
      policyHash: readManifest().starter?.wasmSha256,
    });
  });
});

describe("the policy store", () => {
  const dir = () => mkdtempSync(join(tmpdir(), "kubernaut-policy-"));

  it("no policy configured → approval required, degraded", async () => {
    const outcome = await new FilePolicyStore(() => undefined).evaluate(base);
    expect(outcome).toMatchObject({
      requireApproval: true,
      degraded: true,
      reason: expect.stringMatching(/no approval policy configured/),
    });
  });

  it.each([
    ["a missing file", undefined, /does not exist/],
    ["a compile error", "package aianalysis.approval\nrequire_approval := true if {", /does not compile/],
    [
      "a result without a boolean require_approval",
      'package aianalysis.approval\nrequire_approval := "no"\n',
      /require_approval must be a boolean/,
    ],
  ])("%s → approval required, degraded", async (_case, content, reason) => {
    const path = join(dir(), "policy.rego");
    if (content) writeFileSync(path, content);
    const outcome = await new FilePolicyStore(() => path).evaluate(base);
    expect(outcome.requireApproval).toBe(true);
    expect(outcome.degraded).toBe(true);
    expect(outcome.reason).toMatch(reason);
  });

  it("a replaced policy file changes the next decision without a restart; a broken one is refused and the last good kept", async () => {
    const path = join(dir(), "policy.rego");
    writeFileSync(path, readFileSync(sourcePath("strict")));
    const store = new FilePolicyStore(() => path, 0);
    expect(await store.evaluate(base)).toMatchObject({ requireApproval: true, degraded: false });

    writeFileSync(path, readFileSync(sourcePath("starter")));
    expect(await store.evaluate(base)).toMatchObject({
      requireApproval: false,
      policyHash: readManifest().starter?.wasmSha256,
    });

    writeFileSync(path, "package aianalysis.approval\nthis is not rego\n");
    expect(await store.evaluate(base)).toMatchObject({
      requireApproval: false,
      policyHash: readManifest().starter?.wasmSha256,
    });
    expect(store.status().lastError).toMatch(/does not compile/);
  });
});

describe("kubernaut policy eval", () => {
  it("prints the JSON decision", async () => {
    const inputPath = join(mkdtempSync(join(tmpdir(), "kubernaut-cli-")), "input.json");
    writeFileSync(inputPath, JSON.stringify({ ...base, environment: "production" }));
    const lines: string[] = [];
    const code = await main(
      ["policy", "eval", "--policy", sourcePath("starter"), "--input", inputPath],
      (l) => lines.push(l),
    );
    expect(code).toBe(0);
    expect(JSON.parse(lines.join("\n"))).toEqual({
      require_approval: true,
      reason: "production environment",
      deny: false,
      degraded: false,
      policyHash: readManifest().starter?.wasmSha256,
    });
  });

  it("exits non-zero when the policy is unusable, so a script sees it failed (the answer is the safe default)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kubernaut-cli-"));
    const inputPath = join(dir, "input.json");
    writeFileSync(inputPath, JSON.stringify(base));
    const lines: string[] = [];
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const code = await main(
      ["policy", "eval", "--policy", join(dir, "missing.wasm"), "--input", inputPath],
      (l) => lines.push(l),
    );
    expect(code).toBe(1);
    expect(JSON.parse(lines.join("\n"))).toMatchObject({ require_approval: true, degraded: true });
    expect(String(stderr.mock.calls[0]?.[0])).toMatch(/^kubernaut: policy .*missing\.wasm is unusable: /);
  });
});
