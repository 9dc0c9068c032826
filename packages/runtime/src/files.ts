import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import type { Config } from "@kubernaut/config";
import {
  APPROVAL_ENTRYPOINT,
  classificationEntrypoint,
  committedWasmFor,
  compileRego,
  sourcePath,
} from "@kubernaut/policy";
import { loadCatalogDirectory } from "@kubernaut/workflows/load";
import { FUNCTIONS, type FunctionName, type FunctionSpec } from "./functions";

/** Where the compiled policies sit inside a function's bundle (the runtime reads them there on Lambda). */
export const SHIPPED_POLICY_FILES = {
  approval: "policies/approval.wasm",
  classification: "policies/classification.wasm",
} as const;

/** The configuration schema's default classification policy (relative to the repository). */
export const DEFAULT_CLASSIFICATION_POLICY = "packages/policy/policies/classification/default.rego";

/**
 * A configured policy path, resolved against `root`. The default classification policy is named
 * relative to this repository; elsewhere (another working directory, a deploy from a config repo) the
 * package's own copy is the same file.
 */
export function policySource(configured: string, root: string): string {
  const path = isAbsolute(configured) ? configured : resolve(root, configured);
  if (configured === DEFAULT_CLASSIFICATION_POLICY && !existsSync(path)) return sourcePath("classification");
  return path;
}

export interface FileCopy {
  from: string;
  to: string;
}

/**
 * The wasm of a configured policy, written to `buildDir`: a `.wasm` as it is; a `.rego` compiled here,
 * on the machine that deploys (the committed wasm of an unchanged shipped policy, otherwise the OPA CLI
 * of `npm run setup:opa`). Lambda has no OPA CLI, so Rego never reaches it uncompiled.
 */
async function compiledPolicy(
  path: string,
  entrypoint: string | ((path: string) => string),
  out: string,
): Promise<string> {
  if (path.endsWith(".wasm")) return path;
  let wasm: Buffer | undefined;
  try {
    wasm =
      committedWasmFor(path) ??
      (await compileRego(path, typeof entrypoint === "string" ? entrypoint : entrypoint(path)));
  } catch (error) {
    throw new Error(
      `policy ${path} cannot be compiled for AWS: ${(error as Error).message} (run npm run setup:opa, or name a compiled .wasm)`,
    );
  }
  mkdirSync(resolve(out, ".."), { recursive: true });
  writeFileSync(out, wasm);
  return out;
}

/**
 * What a function carries (SST `copyFiles`): the config file, and — as its table entry says — the
 * compiled approval and classification policies and the kubeconfig files of the clusters it reaches.
 * The stacks and the AWS-entries suite both build a function's directory from this list.
 */
export async function functionFiles(
  fn: FunctionName,
  config: Config,
  options: { root: string; configFile: string; buildDir: string },
): Promise<FileCopy[]> {
  const spec: FunctionSpec = FUNCTIONS[fn];
  const at = (path: string) => (isAbsolute(path) ? path : resolve(options.root, path));
  const files: FileCopy[] = [{ from: at(options.configFile), to: "kubernaut.config.yaml" }];
  const approval = config.aianalysis.rego.policy;
  if (spec.files.includes("approvalPolicy") && approval) {
    files.push({
      from: await compiledPolicy(
        policySource(approval, options.root),
        APPROVAL_ENTRYPOINT,
        join(options.buildDir, "approval.wasm"),
      ),
      to: SHIPPED_POLICY_FILES.approval,
    });
  }
  if (spec.files.includes("classificationPolicy")) {
    const configured = config.signalProcessing.classificationPolicy;
    files.push({
      from: await compiledPolicy(
        policySource(configured, options.root),
        // This project's package or Kubernaut's unified one, by the file's package line.
        (path: string) => classificationEntrypoint(path),
        join(options.buildDir, "classification.wasm"),
      ),
      to: SHIPPED_POLICY_FILES.classification,
    });
  }
  if (spec.files.includes("kubeconfigs")) {
    for (const path of kubeconfigPaths(config)) {
      if (isAbsolute(path))
        throw new Error(
          `kubeconfig ${path}: name it relative to the config file's directory, so it ships with the functions`,
        );
      readFileSync(at(path)); // a missing kubeconfig fails the deploy, not the first remediation
      files.push({ from: at(path), to: path });
    }
  }
  const directory = config.catalog.directory;
  if (spec.files.includes("workflowCatalog") && directory) {
    if (isAbsolute(directory))
      throw new Error(
        `catalog.directory ${directory}: name it relative to the config file's directory, so it ships with the functions`,
      );
    // Validated here too: a catalog that would refuse to load fails the deploy, not every cold start.
    loadCatalogDirectory(at(directory));
    for (const name of readdirSync(at(directory)).filter((n) => /\.ya?ml$/.test(n)))
      files.push({ from: join(at(directory), name), to: join(directory, name) });
  }
  return files;
}

/** Every kubeconfig file the config names (the default cluster and the named ones). */
export function kubeconfigPaths(config: Config): string[] {
  return [config.cluster.kubeconfig, ...Object.values(config.clusters).map((c) => c.kubeconfig)].filter(
    (path): path is string => path !== undefined,
  );
}
