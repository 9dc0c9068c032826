import { startTestCluster, type TestCluster } from "@kubernaut/testcluster";
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
 * The one control plane of a run, shared by every project that lists this setup (`kube`, and
 * `kube-audit`, which reads its audit log after `kube` is done). Global setups run in vitest's main
 * process but each project loads this module on its own, so the cluster lives on globalThis and is
 * stopped by the last project's teardown.
 */
interface Shared {
  cluster: Promise<TestCluster>;
  users: number;
}
const SHARED = Symbol.for("kubernaut.testcluster");
const holder = globalThis as typeof globalThis & { [SHARED]?: Shared };

/**
 * Starts one real control plane for the kube suite (test/kube): etcd, kube-apiserver, the controllers,
 * the scheduler and the fake kubelet (packages/testcluster). Needs the binary `npm run
 * setup:testcluster` builds (`npm test` runs it first). `TESTCLUSTER_DATA_DIR` keeps its data and
 * component logs in that directory instead of a temporary one (for reading the logs after a failure).
 */
export default async function setup(project: TestProject) {
  let shared = holder[SHARED];
  if (!shared) {
    const started = Date.now();
    const cluster = startTestCluster({
      ...(process.env.TESTCLUSTER_DATA_DIR ? { dataDir: process.env.TESTCLUSTER_DATA_DIR } : {}),
    }).then((c) => {
      process.stdout.write(
        `test cluster ready in ${Date.now() - started} ms: KUBECONFIG=${c.kubeconfigPath}\n`,
      );
      return c;
    });
    shared = { cluster, users: 0 };
    holder[SHARED] = shared;
  }
  shared.users++;
  const cluster = await shared.cluster;
  project.provide("testCluster", {
    kubeconfigPath: cluster.kubeconfigPath,
    server: cluster.server,
    caData: cluster.caData,
    auditLogPath: cluster.auditLogPath,
  });
  return async () => {
    const current = holder[SHARED];
    if (!current || --current.users > 0) return;
    delete holder[SHARED];
    await cluster.stop();
  };
}
