import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ClusterSimulator } from "@kubernaut/cluster/simulator";
import { describe, expect, it } from "vitest";

const README = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");

/** The README's example scenario is the format the simulator loads, not a sketch of it. */
describe("the README's scenario example", () => {
  const block = /```yaml\n(# scenarios\/shop\.yaml\n[\s\S]*?)```/.exec(README)?.[1];

  it("loads into the simulator and behaves as its comments say", () => {
    expect(block).toBeDefined();
    const sim = new ClusterSimulator();
    sim.loadScenario(block as string);
    const pods = sim.store.list("Pod", "shop");
    expect(pods).toHaveLength(2);
    // The Patch rolled out the bad image, which the Behaviour makes crash-loop.
    expect(pods.map((p) => p.spec.containers[0].image)).toEqual([
      "shop/cart:3.2.0-bad",
      "shop/cart:3.2.0-bad",
    ]);
    expect(pods.map((p) => p.status.containerStatuses[0].state.waiting?.reason)).toEqual([
      "CrashLoopBackOff",
      "CrashLoopBackOff",
    ]);
    expect(sim.store.list("ReplicaSet", "shop")).toHaveLength(2);
  });
});
