import { startTestCluster } from "@kubernaut/testcluster";
import type { TestProject } from "vitest/node";

export interface ProvidedTestCluster {
  kubeconfigPath: string;
  server: string;
  caData: string;
  auditLogPath: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    testCluster: ProvidedTestCluster;
  }
}

/**
 * Starts one real control plane for the kube suite (test/kube): etcd, kube-apiserver, the controllers,
 * the scheduler and the fake kubelet (packages/testcluster). Needs the binary `npm run
 * setup:testcluster` builds (`npm test` runs it first). `TESTCLUSTER_DATA_DIR` keeps its data and
 * component logs in that directory instead of a temporary one (for reading the logs after a failure).
 */
export default async function setup(project: TestProject) {
  const started = Date.now();
  const cluster = await startTestCluster({
    ...(process.env.TESTCLUSTER_DATA_DIR ? { dataDir: process.env.TESTCLUSTER_DATA_DIR } : {}),
  });
  process.stdout.write(
    `test cluster ready in ${Date.now() - started} ms: KUBECONFIG=${cluster.kubeconfigPath}\n`,
  );
  project.provide("testCluster", {
    kubeconfigPath: cluster.kubeconfigPath,
    server: cluster.server,
    caData: cluster.caData,
    auditLogPath: cluster.auditLogPath,
  });
  return async () => {
    await cluster.stop();
  };
}
