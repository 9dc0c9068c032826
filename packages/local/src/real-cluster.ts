import { existsSync, readFileSync } from "node:fs";
import type { KubeConfig } from "@kubernetes/client-node";

/** `--cluster real` cannot run here; the message is one line saying what is missing. */
export class RealClusterUnavailableError extends Error {
  override readonly name = "RealClusterUnavailableError";
}

export interface LocalRealCluster {
  /** What the product uses: a bound token of deploy/rbac.yaml's ServiceAccount (admin without the file). */
  kubeConfig: KubeConfig;
  /** An admin kubeconfig for people: `kubectl --kubeconfig <path> get deploy -A`. */
  kubeconfigPath: string;
  server: string;
  stop(): Promise<void>;
}

/**
 * `cluster.local: real` (`npm start -- --cluster real`): the scenario in the real control plane the kube
 * suite runs (packages/testcluster: etcd, kube-apiserver, controllers and scheduler built from source,
 * pods played by the fake kubelet) instead of the simulator. Builds the binary first when it is not
 * cached (needs Go; minutes the first time). The data directory is kept, like DynamoDB Local's, so the
 * cluster and the remediations recorded about it stay in step across restarts.
 */
export async function startLocalRealCluster(options: {
  scenario: string | undefined;
  rbacManifestPath: string;
  dataDir: string;
  log: (line: string) => void;
}): Promise<LocalRealCluster> {
  // Loaded only here: the simulator path never needs the control plane's launcher.
  const testcluster = await import("@kubernaut/testcluster");
  let binary: string;
  try {
    binary = testcluster.findTestClusterBinary() ?? (await testcluster.buildTestCluster(options.log));
  } catch (error) {
    if (!(error instanceof testcluster.TestClusterUnavailableError)) throw error;
    throw new RealClusterUnavailableError(
      `--cluster real needs the control plane built from tools/testcluster, and ${error.detail.split("\n")[0]} (install Go, or start without --cluster real to use the simulator)`,
    );
  }
  const cluster = await testcluster.startTestCluster({
    binary,
    dataDir: options.dataDir,
    log: options.log,
    ...(options.scenario !== undefined ? { scenario: options.scenario } : {}),
  });
  try {
    // A day's token: the local loop is a session, not a deployment (a restart mints a new one).
    const kubeConfig = existsSync(options.rbacManifestPath)
      ? await testcluster.productKubeConfig(
          cluster.kubeConfig,
          cluster,
          readFileSync(options.rbacManifestPath, "utf8"),
          86_400,
        )
      : cluster.kubeConfig;
    return { kubeConfig, kubeconfigPath: cluster.kubeconfigPath, server: cluster.server, stop: cluster.stop };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}
