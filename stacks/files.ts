import { loadConfig } from "@kubernaut/config";

/**
 * Files every function carries: the config it reads, and the approval policy it names (a compiled
 * `.wasm` on AWS, where no OPA CLI exists; e.g. packages/policy/compiled/starter.wasm). Reading the
 * config here also refuses to deploy an invalid one.
 */
export function functionFiles(): Array<{ from: string; to: string }> {
  const configFile = process.env.KUBERNAUT_CONFIG ?? "kubernaut.config.yaml";
  const config = loadConfig(process.env);
  const policy = config.aianalysis.rego.policy;
  // Kubeconfig files the cluster connections name travel with the functions too.
  const kubeconfigs = [
    config.cluster.kubeconfig,
    ...Object.values(config.clusters).map((c) => c.kubeconfig),
  ].filter((path): path is string => path !== undefined);
  if (policy && !policy.endsWith(".wasm")) {
    throw new Error(
      `aianalysis.rego.policy must name a compiled .wasm for AWS (got ${policy}); build it with kubernaut policy build or opa build -t wasm`,
    );
  }
  return [
    { from: configFile, to: "kubernaut.config.yaml" },
    ...(policy ? [{ from: policy, to: policy }] : []),
    ...kubeconfigs.map((path) => ({ from: path, to: path })),
  ];
}
