import { existsSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { Classifier } from "@kubernaut/agent";
import { FilePolicyStore, sourcePath } from "@kubernaut/policy";
import { DEFAULT_CLASSIFICATION_POLICY, SHIPPED_POLICY_FILES } from "../files";
import type { Runtime } from "../runtime";

/**
 * The file a policy is read from: the configured path (relative to the root) locally, where a changed
 * file applies on the next evaluation; on Lambda the compiled wasm shipped at a fixed path (files.ts),
 * since Lambda has no OPA CLI to compile Rego.
 */
export function policyFile(rt: Runtime, kind: keyof typeof SHIPPED_POLICY_FILES): string | undefined {
  const config = rt.config();
  const configured =
    kind === "approval" ? config.aianalysis.rego.policy : config.signalProcessing.classificationPolicy;
  if (!configured) return undefined;
  if (rt.adapters.shippedPolicies) return join(rt.adapters.root, SHIPPED_POLICY_FILES[kind]);
  const path = isAbsolute(configured) ? configured : resolve(rt.adapters.root, configured);
  // The default classification policy is named relative to the repository; elsewhere (npx kubernaut
  // from another directory) the package's own copy is the same file.
  if (kind === "classification" && configured === DEFAULT_CLASSIFICATION_POLICY && !existsSync(path))
    return sourcePath("classification");
  return path;
}

/** The approval policy (Rego → wasm, opa-wasm); unusable or absent means approval required. */
export const approvalPolicy = (rt: Runtime) =>
  rt.part(
    "approvalPolicy",
    () => new FilePolicyStore(() => policyFile(rt, "approval"), rt.adapters.policyReloadMs ?? 2_000),
  );

/** Signal classification (Rego); unusable means not managed (the safety gate fails closed). */
export const classifier = (rt: Runtime) =>
  rt.part(
    "classifier",
    () => new Classifier(() => policyFile(rt, "classification"), rt.adapters.policyReloadMs ?? 2_000),
  );
