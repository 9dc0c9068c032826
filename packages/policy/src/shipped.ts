import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { APPROVAL_ENTRYPOINT, compileRego, sha256 } from "./build";
import { OPA_VERSION } from "./opa-cli";

/** The package root: policies/ holds the Rego sources, compiled/ their committed wasm. */
export const POLICY_ROOT = resolve(import.meta.dirname, "..");

/** The classification policy's entrypoint: the package, so one evaluation returns every rule. */
export const CLASSIFICATION_ENTRYPOINT = "signalprocessing/classification";

/** Kubernaut's unified signal-processing policy (ADR-060): `package signalprocessing`, every rule in it. */
export const KUBERNAUT_SIGNALPROCESSING_ENTRYPOINT = "signalprocessing";

/**
 * The entrypoint to compile a classification policy with, from its package: this project's
 * `signalprocessing.classification`, or Kubernaut's unified `signalprocessing`. Anything else is
 * refused with what was expected, never silently replaced by the built-in rules.
 */
export function classificationEntrypoint(path: string): string {
  const source = readFileSync(path, "utf8");
  const pkg = /^\s*package\s+([\w.]+)/m.exec(source)?.[1];
  if (pkg === "signalprocessing.classification") return CLASSIFICATION_ENTRYPOINT;
  if (pkg === "signalprocessing") return KUBERNAUT_SIGNALPROCESSING_ENTRYPOINT;
  throw new Error(
    `${path} declares package ${pkg ?? "(none)"}; a classification policy is package signalprocessing.classification (this project's) or signalprocessing (Kubernaut's unified policy: environment, priority, severity, labels)`,
  );
}

const SHIPPED = {
  starter: { file: "approval/starter.rego", entrypoint: APPROVAL_ENTRYPOINT },
  strict: { file: "approval/strict.rego", entrypoint: APPROVAL_ENTRYPOINT },
  "trusted-workflows": { file: "approval/trusted-workflows.rego", entrypoint: APPROVAL_ENTRYPOINT },
  classification: { file: "classification/default.rego", entrypoint: CLASSIFICATION_ENTRYPOINT },
} as const;
export type ShippedPolicy = keyof typeof SHIPPED;
export const SHIPPED_POLICIES = Object.keys(SHIPPED) as ShippedPolicy[];

export const sourcePath = (name: ShippedPolicy) => join(POLICY_ROOT, "policies", SHIPPED[name].file);
export const testPath = (name: ShippedPolicy) =>
  join(POLICY_ROOT, "policies", SHIPPED[name].file.replace(/\.rego$/, "_test.rego"));
export const wasmPath = (name: ShippedPolicy) => join(POLICY_ROOT, "compiled", `${name}.wasm`);
export const entrypointOf = (name: ShippedPolicy) => SHIPPED[name].entrypoint;
const MANIFEST = join(POLICY_ROOT, "compiled", "manifest.json");

export interface ManifestEntry {
  source: string;
  entrypoint: string;
  sourceSha256: string;
  wasmSha256: string;
  opaVersion: string;
}
export type Manifest = Record<string, ManifestEntry>;

export function readManifest(): Manifest {
  return existsSync(MANIFEST) ? (JSON.parse(readFileSync(MANIFEST, "utf8")) as Manifest) : {};
}

/**
 * The committed wasm for a Rego file, if the file is a shipped policy whose source is unchanged: a user
 * without the OPA CLI can still run the shipped policies, and an edited one is never matched to stale wasm.
 */
export function committedWasmFor(regoPath: string): Buffer | undefined {
  const hash = sha256(readFileSync(regoPath));
  for (const [name, entry] of Object.entries(readManifest())) {
    if (entry.sourceSha256 !== hash) continue;
    const wasm = readFileSync(wasmPath(name as ShippedPolicy));
    if (sha256(wasm) === entry.wasmSha256) return wasm;
  }
  return undefined;
}

/** `kubernaut policy build`: compiles every shipped policy and records the hashes that CI checks. */
export async function buildShippedPolicies(): Promise<Manifest> {
  const manifest: Manifest = {};
  for (const name of SHIPPED_POLICIES) {
    const wasm = await compileRego(sourcePath(name), entrypointOf(name));
    writeFileSync(wasmPath(name), wasm);
    manifest[name] = {
      source: `policies/${SHIPPED[name].file}`,
      entrypoint: entrypointOf(name),
      sourceSha256: sha256(readFileSync(sourcePath(name))),
      wasmSha256: sha256(wasm),
      opaVersion: OPA_VERSION,
    };
  }
  writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
