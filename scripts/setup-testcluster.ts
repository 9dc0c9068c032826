/**
 * `npm run setup:testcluster`: builds the test cluster (tools/testcluster: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler from source) into .kubernaut/bin, unless the binary for the
 * current sources is already there. The first build takes minutes; later ones reuse Go's build cache.
 */
import { buildTestCluster, findTestClusterBinary, TestClusterUnavailableError } from "@kubernaut/testcluster";

const existing = findTestClusterBinary();
if (existing) {
  process.stdout.write(`test cluster: ${existing}\n`);
} else {
  try {
    const built = await buildTestCluster((line) => process.stdout.write(`${line}\n`));
    process.stdout.write(`test cluster: ${built}\n`);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(error instanceof TestClusterUnavailableError ? 3 : 1);
  }
}
