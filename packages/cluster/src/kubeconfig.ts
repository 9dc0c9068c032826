import { KubeConfig } from "@kubernetes/client-node";
import { stringify as stringifyYaml } from "yaml";

/**
 * The cluster the product talks to: `KUBECONFIG` (or the default ~/.kube/config) for real clusters,
 * otherwise the simulator's URL. Either way the product uses @kubernetes/client-node over HTTP.
 */
export function kubeConfigFor(options: {
  kubeconfig?: string;
  server?: string;
  context?: string;
  /** The bearer token for `server` (the simulator restricts some tokens to an RBAC role). */
  token?: string;
}): KubeConfig {
  const kc = new KubeConfig();
  if (options.server) {
    kc.loadFromOptions({
      clusters: [{ name: "simulator", server: options.server, skipTLSVerify: true }],
      users: [{ name: "kubernaut", token: options.token ?? "simulator" }],
      contexts: [{ name: "simulator", cluster: "simulator", user: "kubernaut" }],
      currentContext: "simulator",
    });
  } else if (options.kubeconfig) {
    kc.loadFromFile(options.kubeconfig);
  } else {
    kc.loadFromDefault();
  }
  if (options.context) kc.setCurrentContext(options.context);
  return kc;
}

/**
 * A kubeconfig file for the simulator (or any plain-HTTP loopback apiserver), so an operator can point
 * kubectl at the cluster the product acts on and watch it change.
 */
export function kubeConfigYaml(server: string, name = "kubernaut-simulator"): string {
  return stringifyYaml({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server } }],
    users: [{ name, user: { token: "simulator" } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    "current-context": name,
  });
}
