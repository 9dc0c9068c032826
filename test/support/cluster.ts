import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ClusterAccess, kubeConfigFor } from "@kubernaut/cluster";
import { ClusterSimulator } from "@kubernaut/cluster/simulator";

/** The scenario `npm start` and the demo use. */
export const DEMO_SCENARIO = readFileSync(
  join(import.meta.dirname, "..", "..", "scenarios", "demo.yaml"),
  "utf8",
);

/**
 * The demo scenario in a simulator on a loopback port, with a client-node client to change it the way
 * a person would (a bad deploy), and the behaviour a test wants.
 */
export async function simulatedCluster(behaviour: Record<string, unknown> = {}) {
  const simulator = new ClusterSimulator();
  simulator.loadScenario(DEMO_SCENARIO);
  simulator.setBehaviour({ readyAfterMs: 0, ...behaviour });
  const server = await simulator.listen();
  const access = new ClusterAccess(kubeConfigFor({ server: server.url }));
  return { simulator, url: server.url, access, close: server.close };
}

/** A bad deploy: the Deployment's container gets an image the behaviour says crashes. */
export function badRollout(
  access: ClusterAccess,
  namespace: string,
  image = "shop/checkout:1.5.0-bad",
  name = "checkout",
) {
  return access.patch(
    { kind: "Deployment", name, namespace },
    {
      strategy: "strategic",
      body: { spec: { template: { spec: { containers: [{ name: "app", image }] } } } },
    },
  );
}
