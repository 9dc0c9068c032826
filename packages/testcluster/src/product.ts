import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { kubeconfigYaml } from "./launcher";
import { applyScenario } from "./scenario";

/** Where the product's ServiceAccount lives (deploy/rbac.yaml), and the user kube-apiserver sees for it. */
export const PRODUCT_SERVICE_ACCOUNT = { namespace: "kubernaut", name: "kubernaut" } as const;
export const PRODUCT_USER = `system:serviceaccount:${PRODUCT_SERVICE_ACCOUNT.namespace}:${PRODUCT_SERVICE_ACCOUNT.name}`;

/**
 * What the product runs as in a managed cluster: `rbacManifest` (deploy/rbac.yaml) applied as written,
 * and a kubeconfig with a token of its ServiceAccount bound through the TokenRequest API, the way a pod
 * of the ServiceAccount gets one — never the admin's. Applying is idempotent, so callers may repeat it.
 */
export async function productKubeConfig(
  admin: KubeConfig,
  cluster: { server: string; caData: string },
  rbacManifest: string,
  expirationSeconds = 3600,
): Promise<KubeConfig> {
  const { namespace, name } = PRODUCT_SERVICE_ACCOUNT;
  await applyScenario(
    admin,
    `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${namespace} }\n---\n${rbacManifest}`,
    { suffix: "" },
  );
  const token = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [], expirationSeconds } },
  });
  const value = token.status?.token;
  if (!value) throw new Error(`the TokenRequest API returned no token for ${namespace}/${name}`);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(kubeconfigYaml(cluster.server, cluster.caData, PRODUCT_USER, value));
  return kubeConfig;
}
