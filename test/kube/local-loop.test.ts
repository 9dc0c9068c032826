import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isTerminal } from "@kubernaut/core";
import { type LocalLoop, sampleAlert, startLocalLoop } from "@kubernaut/local";
import { ApiException, AppsV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

/**
 * `npm start -- --cluster real` (here through the config key `cluster.local: real`): the local loop
 * starts its own real control plane with the scenario loaded, acts on it with deploy/rbac.yaml's
 * ServiceAccount, and hands people an admin kubeconfig. Its own control plane, not the suite's shared
 * one: this is what a user's machine runs.
 */
describe("the local loop on a real control plane", () => {
  let loop: LocalLoop;
  const repo = join(import.meta.dirname, "..", "..");
  const dir = mkdtempSync(join(tmpdir(), "kubernaut-loop-real-"));

  beforeAll(async () => {
    mkdirSync(join(dir, "deploy"));
    cpSync(join(repo, "deploy", "rbac.yaml"), join(dir, "deploy", "rbac.yaml"));
    writeFileSync(
      join(dir, "kubernaut.config.yaml"),
      `remediationOrchestrator:\n  dryRun: true\nstorage:\n  tableName: loop-real-${Date.now()}\ncluster:\n  local: real\n  scenario: ${join(repo, "scenarios", "demo.yaml")}\n`,
    );
    loop = await startLocalLoop({
      cwd: dir,
      dynamoEndpoint: inject("dynamoEndpoint"),
      port: 0,
      env: {},
      timeScale: 0.01,
    });
  }, 180_000);
  afterAll(async () => {
    await loop?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("loads the scenario into kube-apiserver and prints an admin kubeconfig that reads it", async () => {
    expect(loop.simulator).toBeUndefined();
    expect(loop.realCluster?.kubeconfigPath).toBe(join(dir, ".kubernaut", "testcluster", "admin.kubeconfig"));
    const admin = new KubeConfig();
    admin.loadFromFile(loop.realCluster?.kubeconfigPath as string);
    const deployments = await admin.makeApiClient(AppsV1Api).listDeploymentForAllNamespaces();
    expect(deployments.items.map((d) => `${d.metadata?.namespace}/${d.metadata?.name}`).sort()).toEqual([
      "production/checkout",
      "staging/checkout",
      "staging/recommendations",
    ]);
  });

  it("acts with the ServiceAccount of deploy/rbac.yaml, not as an admin", async () => {
    const refused = await loop.clusterAccess.core
      .listNamespacedSecret({ namespace: "staging" })
      .then(() => 200)
      .catch((error: unknown) => (error instanceof ApiException ? error.code : 0));
    expect(refused).toBe(403);
  });

  it("the sample alert that npm start prints ends DryRun with the rollback the real cluster's evidence supports", async () => {
    const response = await fetch(`${loop.url}/api/v1/signals/prometheus`, {
      method: "POST",
      headers: { authorization: `Bearer ${loop.secrets.webhookToken}`, "content-type": "application/json" },
      body: JSON.stringify(sampleAlert()),
    });
    expect(response.status).toBe(202);
    const { accepted } = (await response.json()) as { accepted: Array<{ remediationId: string }> };
    const id = accepted[0]?.remediationId as string;
    let rr = await loop.store.get(id);
    for (let i = 0; i < 600 && !(rr && isTerminal(rr.phase)); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      rr = await loop.store.get(id);
    }
    expect(rr).toMatchObject({
      phase: "Completed",
      outcome: "DryRun",
      analysis: { workflowId: "crashloop-rollback-v1", parameters: { toRevision: 1 } },
    });
  });
});
