/**
 * `npm run testcluster [-- scenarios/x.yaml]`: the kube suite's real control plane on this machine, with
 * a scenario loaded (scenarios/demo.yaml by default), until Ctrl-C. Prints the admin kubeconfig so you
 * can watch it with kubectl. Needs `npm run setup:testcluster` first.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { startTestCluster } from "@kubernaut/testcluster";

const scenarioPath = resolve(process.argv[2] ?? "scenarios/demo.yaml");
const started = Date.now();
try {
  const cluster = await startTestCluster({
    scenario: readFileSync(scenarioPath, "utf8"),
    ...(process.env.TESTCLUSTER_DATA_DIR ? { dataDir: process.env.TESTCLUSTER_DATA_DIR } : {}),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(
    `\n${scenarioPath} loaded in ${Date.now() - started} ms.\n` +
      `  export KUBECONFIG=${cluster.kubeconfigPath}\n` +
      `  kubectl get pods -A -o wide\n` +
      `component logs: ${cluster.dataDir}/logs   (Ctrl-C stops everything)\n`,
  );
  const stop = () => {
    void cluster.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
