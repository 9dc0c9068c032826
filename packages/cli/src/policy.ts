import { readFileSync } from "node:fs";
import {
  ApprovalPolicy,
  buildShippedPolicies,
  committedWasmFor,
  compileRego,
  degraded,
  type PolicyInput,
  SHIPPED_POLICIES,
  sourcePath,
  testPath,
  testRego,
} from "@kubernaut/policy";

export async function policyCommand(args: string[], out: (line: string) => void): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "build": {
      const manifest = await buildShippedPolicies();
      for (const [name, entry] of Object.entries(manifest))
        out(`${name}: ${entry.wasmSha256} (${entry.source})`);
      return 0;
    }
    case "test": {
      for (const name of SHIPPED_POLICIES) out((await testRego([sourcePath(name), testPath(name)])).trim());
      return 0;
    }
    case "eval": {
      const policyPath = flag(rest, "--policy");
      const inputPath = flag(rest, "--input");
      if (!policyPath || !inputPath) {
        out("usage: kubernaut policy eval --policy FILE(.rego|.wasm|bundle.tar.gz) --input FILE.json");
        return 2;
      }
      const input = JSON.parse(readFileSync(inputPath, "utf8")) as PolicyInput;
      const result = await evaluateFile(policyPath, input);
      out(JSON.stringify(result, null, 2));
      // A degraded answer is the pipeline's safe default, not the policy's: a script must see it failed.
      if (result.degraded) {
        process.stderr.write(`kubernaut: policy ${policyPath} is unusable: ${result.reason}\n`);
        return 1;
      }
      return 0;
    }
    default:
      out("usage: kubernaut policy build | test | eval --policy FILE --input FILE");
      return 2;
  }
}

/** Evaluates a policy file the way the pipeline does, degraded included (a broken policy never auto-approves). */
async function evaluateFile(path: string, input: PolicyInput) {
  let wasm: Buffer;
  try {
    if (path.endsWith(".wasm")) wasm = readFileSync(path);
    else if (path.endsWith(".tar.gz")) wasm = await wasmFromBundle(path);
    else wasm = committedWasmFor(path) ?? (await compileRego(path));
  } catch (error) {
    return decision(degraded(`policy ${path} is unusable: ${(error as Error).message}`));
  }
  const policy = await ApprovalPolicy.load(wasm, path);
  return decision(policy.evaluate(input));
}

function decision(outcome: ReturnType<typeof degraded>) {
  return {
    require_approval: outcome.requireApproval,
    reason: outcome.reason,
    deny: outcome.deny,
    degraded: outcome.degraded,
    policyHash: outcome.policyHash ?? null,
    ...(outcome.requiredBy ? { required_by: outcome.requiredBy } : {}),
  };
}

async function wasmFromBundle(path: string): Promise<Buffer> {
  const { execFileSync } = await import("node:child_process");
  return execFileSync("tar", ["-xzOf", path, "/policy.wasm"], { maxBuffer: 64 * 1024 * 1024 });
}

export function flag(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}
