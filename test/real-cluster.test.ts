import { ClusterAccess, executeWorkflow, kubeConfigFor, rolloutConverged } from "@kubernaut/cluster";
import { describe, expect, it } from "vitest";

/**
 * Opt-in: the executors against a real cluster (kind, k3d, a test cluster) through KUBECONFIG, for
 * anyone who has one: KUBERNAUT_TEST_REAL_CLUSTER=1 KUBECONFIG=… npx vitest run test/real-cluster.test.ts
 * It needs a namespace `kubernaut-e2e` with a Deployment `echo` (2 replicas). No cluster can run on
 * the machines this project is built on, so CI never enables it.
 */
describe.runIf(process.env.KUBERNAUT_TEST_REAL_CLUSTER === "1")("executors against a real cluster", () => {
  const access = new ClusterAccess(kubeConfigFor({}));
  const target = { kind: "Deployment", name: "echo", namespace: "kubernaut-e2e" };

  it("scales with the annotation and a resourceVersion precondition, then converges", async () => {
    const id = `rr-e2e-${Date.now()}`;
    const result = await executeWorkflow(access, {
      remediationId: id,
      actionType: "ScaleReplicas",
      changesSpec: false,
      target,
      parameters: { replicas: 3 },
    });
    expect(result.alreadyApplied).toBe(false);
    expect(
      await executeWorkflow(access, {
        remediationId: id,
        actionType: "ScaleReplicas",
        changesSpec: false,
        target,
        parameters: { replicas: 3 },
      }),
    ).toMatchObject({ alreadyApplied: true });
    for (let i = 0; i < 60 && !(await rolloutConverged(access, target)).converged; i++)
      await new Promise((r) => setTimeout(r, 2000));
    expect((await rolloutConverged(access, target)).converged).toBe(true);
  });
});
