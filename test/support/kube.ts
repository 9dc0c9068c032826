import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type ApplyScenarioOptions,
  applyScenario,
  kubeconfigYaml,
  PRODUCT_USER,
  productKubeConfig,
} from "@kubernaut/testcluster";
import { AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig, PolicyV1Api } from "@kubernetes/client-node";
import { inject } from "vitest";

/**
 * The kube suite's shared control plane (started once by test/support/testcluster-setup.ts), seen from
 * one test file: admin clients, and a `suffix` unique to the file and run that `applyScenario` appends
 * to every namespace and node name, so files never touch each other's objects.
 *
 * Nodes are shared by the scheduler, though: pods without a nodeSelector may land on another file's
 * nodes. A test that evicts, drains or cordons pins its pods (`nodeSelector` on
 * `kubernetes.io/hostname`, which the suffix rewrites too) and taints the node it disturbs with
 * {@link DEDICATED_TAINT}, which only its own pods tolerate.
 */
export function kubeCluster(file: string) {
  const provided = inject("testCluster");
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(provided.kubeconfigPath);
  const suffix = `-${file}-${randomBytes(2).toString("hex")}`;
  return {
    ...provided,
    kubeConfig,
    suffix,
    core: kubeConfig.makeApiClient(CoreV1Api),
    apps: kubeConfig.makeApiClient(AppsV1Api),
    batch: kubeConfig.makeApiClient(BatchV1Api),
    policy: kubeConfig.makeApiClient(PolicyV1Api),
    applyScenario: (yamlText: string, options: ApplyScenarioOptions = {}) =>
      applyScenario(kubeConfig, yamlText, { suffix, ...options }),
    /** A kubeconfig for the same cluster with another bearer token (e.g. a ServiceAccount's). */
    kubeConfigWithToken(user: string, token: string): KubeConfig {
      const other = new KubeConfig();
      other.loadFromString(kubeconfigYaml(provided.server, provided.caData, user, token));
      return other;
    },
    /** deploy/rbac.yaml applied and a bound token of its ServiceAccount (packages/testcluster). */
    productKubeConfig: (): Promise<KubeConfig> => productKubeConfig(kubeConfig, provided, RBAC_MANIFEST),
  };
}

/** deploy/rbac.yaml as shipped: the product's ServiceAccount, ClusterRole and binding. */
export const RBAC_MANIFEST = readFileSync(
  join(import.meta.dirname, "..", "..", "deploy", "rbac.yaml"),
  "utf8",
);

/** The user kube-apiserver sees for a token of the product's ServiceAccount (audit log, RBAC). */
export { PRODUCT_USER };

/** A NoSchedule taint key for nodes a test disturbs; its pods tolerate it with `operator: Exists`. */
export const DEDICATED_TAINT = "kubernaut.ai/dedicated";

/** Polls until `check` returns a value (not undefined), or fails with what it waited for and the last value seen. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  { timeoutMs = 45_000, intervalMs = 250 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`,
      );
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
