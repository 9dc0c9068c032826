import { join } from "node:path";
import { Classifier } from "@kubernaut/agent";
import { FilePolicyStore } from "@kubernaut/policy";
import { policySource, SHIPPED_POLICY_FILES } from "../files";
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
  return policySource(configured, rt.adapters.root);
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
