import { ClusterAccess, JobFailedError, renderStep, runStep, type StepProgress } from "@kubernaut/cluster";
import { defineWorkflow } from "@kubernaut/workflows";
import { beforeAll, describe, expect, it } from "vitest";
import { eventually, kubeCluster } from "../support/kube";

/**
 * The Job step of an operator workflow on a real control plane: kube-apiserver validates the Job,
 * kube-controller-manager's Job controller creates its pod and decides Complete or Failed
 * (BackoffLimitExceeded), and the fake kubelet runs the pod by the behaviour model and serves its log
 * through pods/log — the same model the simulator uses.
 */
const cluster = kubeCluster("jobs");
const ns = (name: string) => `${name}${cluster.suffix}`;

const SCENARIO = `
apiVersion: v1
kind: Namespace
metadata: { name: ops }
---
apiVersion: v1
kind: Node
metadata: { name: jobs }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: workers, namespace: ops, labels: { app: workers } }
spec:
  replicas: 1
  selector: { matchLabels: { app: workers } }
  template:
    metadata: { labels: { app: workers } }
    spec: { containers: [{ name: app, image: "ops/workers:1" }] }
---
kind: Behaviour
behaviour:
  images:
    "ops/cache-tools:1.0": { runsForMs: 0, logs: "flushed 1200 keys\\n" }
    "ops/cache-tools:broken": { crash: true, exitCode: 3, logs: "redis: connection refused\\n" }
    "ops/cache-tools:stuck": { logs: "waiting for the cache lock\\n" }
`;

const flush = (image: string) =>
  defineWorkflow({
    id: "flush-cache-v1",
    version: "1.0.0",
    actionType: "FlushCache",
    description: { what: "flush the cache", whenToUse: "stale entries", whenNotToUse: "never" },
    signals: ["CacheStale"],
    targetKinds: ["Deployment"],
    reversible: true,
    blastRadius: "the cache",
    steps: [
      {
        name: "flush",
        job: { image, args: ["flush", "--for={{ target.name }}"], timeout: "2m", backoffLimit: 0 },
      },
    ],
  });

describe("a Job step on a real control plane", () => {
  let access: ClusterAccess;
  /** The test's own view, to check what the product did. */
  let admin: ClusterAccess;
  beforeAll(async () => {
    await cluster.applyScenario(SCENARIO);
    // As the product: the audit test holds deploy/rbac.yaml to what this Job step asks for.
    access = new ClusterAccess(await cluster.productKubeConfig());
    admin = new ClusterAccess(cluster.kubeConfig);
  });

  const step = (image: string, id: string) =>
    renderStep(
      {
        remediationId: id,
        workflow: flush(image),
        parameters: {},
        target: { kind: "Deployment", name: "workers", namespace: ns("ops") },
      },
      0,
    );

  it("creates the Job once, reports it running, then done when the Job controller says Complete, with the pod's log", async () => {
    const flushing = step("ops/cache-tools:1.0", "rr-kube-job-ok");
    const done = await eventually("the Job to complete", async () => {
      const progress: StepProgress = await runStep(access, flushing);
      return progress.state === "done" ? progress : undefined;
    });
    expect(done).toMatchObject({ summary: expect.stringMatching(/completed$/) });
    expect(done.state === "done" && done.logs).toContain("flushed 1200 keys");
    const jobs = (await admin.batch.listNamespacedJob({ namespace: ns("ops") })).items;
    expect(jobs.filter((j) => j.metadata?.name?.startsWith("kubernaut-"))).toHaveLength(1);
  });

  it("fails the step with the Job controller's reason and the pod's log when the image fails", async () => {
    const failing = step("ops/cache-tools:broken", "rr-kube-job-fails");
    const error = await eventually("the Job to fail", async () => {
      try {
        await runStep(access, failing);
        return undefined;
      } catch (e) {
        return e;
      }
    });
    expect(error).toBeInstanceOf(JobFailedError);
    expect((error as Error).message).toMatch(/BackoffLimitExceeded/);
    expect((error as JobFailedError).logs).toContain("redis: connection refused");
  });

  it("deletes a Job that outlives its timeout and fails the step naming the timeout", async () => {
    const stuck = step("ops/cache-tools:stuck", "rr-kube-job-stuck");
    const name = stuck.kind === "job" ? stuck.job.name : "";
    await eventually("the Job to run", async () => {
      const progress = await runStep(access, stuck);
      return progress.state === "running" ? progress : undefined;
    });
    // Ten minutes on: past the step's 2m timeout and the grace.
    const error = await runStep(access, stuck, { now: Date.now() + 10 * 60_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobFailedError);
    expect((error as Error).message).toMatch(/ran past its timeout of 120s/);
    await eventually("the Job to be gone", async () => {
      const jobs = (await admin.batch.listNamespacedJob({ namespace: ns("ops") })).items;
      return jobs.some((j) => j.metadata?.name === name && !j.metadata?.deletionTimestamp) ? undefined : true;
    });
  });
});
