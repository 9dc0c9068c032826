import { ClusterSimulator } from "@kubernaut/cluster/simulator";

export const BAD_IMAGE = "bench/app:2.0.0-bad";
const GOOD_IMAGE = "bench/app:1.9.3";

const BASE = [
  'apiVersion: v1\nkind: Namespace\nmetadata: { name: staging, labels: { kubernaut.ai/environment: staging, kubernaut.ai/managed: "true" } }',
  'apiVersion: v1\nkind: Namespace\nmetadata: { name: production, labels: { kubernaut.ai/environment: production, kubernaut.ai/managed: "true" } }',
  'apiVersion: v1\nkind: Node\nmetadata: { name: worker-1 }\nstatus: { conditions: [{ type: Ready, status: "True" }] }',
  'apiVersion: v1\nkind: Node\nmetadata: { name: worker-2 }\nstatus: { conditions: [{ type: Ready, status: "True" }] }',
  `kind: Behaviour\nbehaviour:\n  images:\n    "${BAD_IMAGE}": { crash: true, logs: "panic: runtime error: invalid memory address or nil pointer dereference" }\n  readyAfterMs: 0`,
];

export interface Workload {
  namespace: string;
  name: string;
}

/**
 * A Deployment of two replicas; a broken one has a revision 2 that crash-loops (a bad rollout, the case
 * crashloop-rollback-v1 is for).
 */
function workloadDocs({ namespace, name }: Workload, broken: boolean): string {
  const docs = [
    [
      "apiVersion: apps/v1",
      "kind: Deployment",
      `metadata: { name: ${name}, namespace: ${namespace}, labels: { app: ${name} } }`,
      "spec:",
      "  replicas: 2",
      `  selector: { matchLabels: { app: ${name} } }`,
      "  template:",
      `    metadata: { labels: { app: ${name} } }`,
      "    spec:",
      `      containers: [{ name: app, image: "${GOOD_IMAGE}", resources: { limits: { memory: 512Mi } } }]`,
    ].join("\n"),
  ];
  if (broken) {
    docs.push(
      `kind: Patch\ntarget: { kind: Deployment, namespace: ${namespace}, name: ${name} }\npatch: { spec: { template: { spec: { containers: [{ name: app, image: "${BAD_IMAGE}" }] } } } }`,
    );
  }
  return docs.join("\n---\n");
}

/**
 * The simulator on a loopback port with the demo's namespaces and nodes. It reconciles every object on
 * every request, so its cost grows with what it holds: benchmarks add a workload just before they use
 * it and remove it afterwards, keeping the simulator's share of each figure constant and small.
 */
export async function startSimulator(workloads: Workload[] = []) {
  const simulator = new ClusterSimulator();
  simulator.loadScenario(BASE.join("\n---\n"));
  for (const w of workloads) simulator.loadScenario(workloadDocs(w, false));
  const served = await simulator.listen();
  return {
    simulator,
    url: served.url,
    close: served.close,
    /** A Deployment whose latest rollout crash-loops. */
    addBroken: (w: Workload) => simulator.loadScenario(workloadDocs(w, true)),
    /** The Deployment, its ReplicaSets and Pods. */
    remove: ({ namespace, name }: Workload) => {
      simulator.store.delete("Deployment", namespace, name);
      for (const kind of ["ReplicaSet", "Pod"]) {
        for (const object of simulator.store.list(kind, namespace)) {
          if (object.metadata?.labels?.app === name)
            simulator.store.delete(kind, namespace, object.metadata.name);
        }
      }
    },
  };
}

export type Simulator = Awaited<ReturnType<typeof startSimulator>>;
