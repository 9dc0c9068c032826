import { KubeConfig } from "@kubernetes/client-node";

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
