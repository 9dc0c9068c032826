import { existsSync, statSync } from "node:fs";
import { basename, relative, resolve } from "node:path";
import type { Config, ConfigCheck } from "@kubernaut/config";
import { SHIPPED_POLICIES, sourcePath } from "@kubernaut/policy";
import { policySource } from "@kubernaut/runtime";

/** The scenario the config schema names when none is configured (the repository's demo). */
export const DEFAULT_SCENARIO = "scenarios/demo.yaml";

type Env = Readonly<Record<string, string | undefined>>;

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** "did you mean …?" for a shipped policy named by its file name at the wrong place. */
function shippedNamed(configured: string, root: string): string | undefined {
  const name = basename(configured);
  for (const shipped of SHIPPED_POLICIES) {
    const path = sourcePath(shipped);
    if (basename(path) === name) return relative(root, path) || path;
  }
  return undefined;
}

function policyProblem(key: string, configured: string | undefined, root: string): string | undefined {
  if (!configured) return undefined;
  if (!/\.(rego|wasm)$/.test(configured))
    return `${key}: ${configured} is neither a Rego source (.rego) nor a compiled policy (.wasm)`;
  const path = policySource(configured, root);
  if (isFile(path)) return undefined;
  const hint = shippedNamed(configured, root);
  const shipped = SHIPPED_POLICIES.filter((p) => p !== "classification")
    .map((p) => relative(root, sourcePath(p)))
    .join(", ");
  return `${key}: ${configured} does not exist (resolved to ${path})${hint ? `; did you mean ${hint}?` : `; shipped approval policies: ${shipped}`}`;
}

/**
 * What the local loop checks beyond the schema, at start-up and on every reload of the config: the
 * files it names exist where it runs. A missing policy would otherwise only show as "degraded" on the
 * first remediation, and a missing scenario as an empty cluster.
 */
export function localConfigCheck(root: string, env: Env): ConfigCheck {
  return (config: Config) => {
    const problems = [
      policyProblem("aianalysis.rego.policy", config.aianalysis.rego.policy, root),
      policyProblem(
        "signalProcessing.classificationPolicy",
        config.signalProcessing.classificationPolicy,
        root,
      ),
    ];
    const kubeconfig = config.cluster.kubeconfig;
    if (kubeconfig && !isFile(resolve(root, kubeconfig)))
      problems.push(
        `cluster.kubeconfig: ${kubeconfig} does not exist (resolved to ${resolve(root, kubeconfig)})`,
      );
    // The scenario matters only when the simulator runs; the default may be absent outside the repository.
    const scenario = config.cluster.scenario;
    if (!kubeconfig && !env.KUBECONFIG && scenario !== DEFAULT_SCENARIO && !isFile(resolve(root, scenario)))
      problems.push(`cluster.scenario: ${scenario} does not exist (resolved to ${resolve(root, scenario)})`);
    return problems.filter((p): p is string => p !== undefined);
  };
}

/** The scenario file the simulator loads, or undefined when the default is not there. */
export function scenarioFile(config: Config, root: string): string | undefined {
  const path = resolve(root, config.cluster.scenario);
  return existsSync(path) ? path : undefined;
}
