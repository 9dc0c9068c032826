import { isAbsolute, resolve } from "node:path";
import { ClusterDirectory } from "@kubernaut/cluster";
import type { Config } from "@kubernaut/config";
import type { Runtime } from "../runtime";

/** The config with every kubeconfig path resolved against the runtime's root (the task root on Lambda). */
function withResolvedKubeconfigs(config: Config, root: string): Config {
  const at = (path: string | undefined) => (path && !isAbsolute(path) ? resolve(root, path) : path);
  const resolveConnection = <C extends { kubeconfig?: string | undefined }>(c: C): C =>
    c.kubeconfig ? { ...c, kubeconfig: at(c.kubeconfig) } : c;
  return {
    ...config,
    cluster: resolveConnection(config.cluster),
    clusters: Object.fromEntries(
      Object.entries(config.clusters).map(([name, c]) => [name, resolveConnection(c)]),
    ),
  };
}

/**
 * The managed clusters by name: kubeconfig files shipped with the function, EKS through the function's
 * IAM role, or — for alerts naming no configured cluster — the process's default (the simulator or the
 * test cluster locally).
 */
export const clusters = (rt: Runtime) =>
  rt.part(
    "clusters",
    () =>
      new ClusterDirectory(
        () => withResolvedKubeconfigs(rt.config(), rt.adapters.root),
        rt.adapters.defaultCluster,
      ),
  );
