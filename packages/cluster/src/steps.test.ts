import {
  ACTION_TYPES,
  CATALOG,
  defaultParameters,
  defineWorkflow,
  type ParameterValue,
} from "@kubernaut/workflows";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClusterAccess, type K8s } from "./access";
import { REMEDIATION_ANNOTATION, REMEDIATION_STEP_ANNOTATION, SUPPORTED_ACTIONS } from "./executors";
import { jobState } from "./jobs";
import { kubeConfigFor } from "./kubeconfig";
import { ClusterSimulator } from "./simulator/server";
import {
  completeWorkflow,
  JobFailedError,
  plannedWorkflow,
  renderStep,
  runStep,
  type WorkflowRun,
} from "./steps";

const SCENARIO = `
apiVersion: v1
kind: Node
metadata: { name: worker-1 }
status: { conditions: [{ type: Ready, status: "True" }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: workers, namespace: shop }
spec:
  replicas: 1
  selector: { matchLabels: { app: workers } }
  template:
    metadata: { labels: { app: workers } }
    spec: { containers: [{ name: app, image: "shop/workers:1" }] }
---
kind: Behaviour
behaviour:
  images:
    "shop/cache-tools:1.0": { runsForMs: 50, logs: "flushed 1200 keys\\n" }
    "shop/cache-tools:broken": { crash: true, exitCode: 3, logs: "redis: connection refused\\n" }
`;

const scaleAndFlush = (image: string, backoffLimit = 0) =>
  defineWorkflow({
    id: "scale-and-flush-v1",
    version: "1.0.0",
    actionType: "ScaleAndFlush",
    description: { what: "scale, flush", whenToUse: "backlog", whenNotToUse: "never" },
    signals: ["QueueBacklogHigh"],
    targetKinds: ["Deployment"],
    parameters: { replicas: { type: "integer", description: "workers", required: true, minimum: 1 } },
    reversible: true,
    blastRadius: "workers",
    steps: [
      { name: "scale", action: "ScaleReplicas", with: { replicas: "{{ parameters.replicas }}" } },
      {
        name: "flush",
        job: {
          image,
          args: ["flush", "--for={{ target.name }}"],
          env: { REMEDIATION: "{{ remediation.id }}" },
          timeout: "1m",
          backoffLimit,
        },
      },
    ],
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("workflow steps against the simulator", () => {
  let sim: ClusterSimulator;
  let access: ClusterAccess;
  let close: () => Promise<void>;
  const target = { kind: "Deployment", name: "workers", namespace: "shop" };
  const run = (image: string, backoffLimit = 0): WorkflowRun => ({
    remediationId: "rr-steps-1",
    workflow: scaleAndFlush(image, backoffLimit),
    parameters: { replicas: 3 },
    target,
  });

  beforeEach(async () => {
    sim = new ClusterSimulator();
    sim.loadScenario(SCENARIO);
    const server = await sim.listen();
    close = server.close;
    access = new ClusterAccess(kubeConfigFor({ server: server.url }));
  });
  afterEach(async () => close());

  /** Polls a Job step the way the state machine does, until it is done or throws. */
  async function untilDone(step: ReturnType<typeof renderStep>) {
    for (let i = 0; i < 100; i++) {
      const progress = await runStep(access, step);
      if (progress.state === "done") return progress;
      await sleep(20);
    }
    throw new Error("the Job never finished");
  }

  it("runs an action step then a Job step; the Job's logs are captured; completion stamps the target", async () => {
    const r = run("shop/cache-tools:1.0");
    const scale = await runStep(access, renderStep(r, 0));
    expect(scale).toMatchObject({ state: "done", summary: "scaled from 1 to 3 replicas" });
    const workers = await access.read(target);
    // An intermediate step stamps its own marker, not the annotation that says the workflow is done.
    expect(workers.metadata.annotations).toMatchObject({ [REMEDIATION_STEP_ANNOTATION]: "rr-steps-1/0" });
    expect(workers.metadata.annotations[REMEDIATION_ANNOTATION]).toBeUndefined();

    const flush = renderStep(r, 1);
    expect(await runStep(access, flush)).toMatchObject({ state: "running" });
    expect(await untilDone(flush)).toMatchObject({
      summary: expect.stringMatching(/^Job kubernaut-\w+-1-flush completed$/),
      logs: expect.stringContaining("flushed 1200 keys"),
    });
    const job = (await access.batch.readNamespacedJob({
      name: flush.kind === "job" ? flush.job.name : "",
      namespace: "shop",
    })) as K8s;
    expect(job.spec.template.spec.containers[0]).toMatchObject({
      image: "shop/cache-tools:1.0",
      args: ["flush", "--for=workers"],
      env: [{ name: "REMEDIATION", value: "rr-steps-1" }],
    });
    expect(job.spec).toMatchObject({ activeDeadlineSeconds: 60, backoffLimit: 0 });

    await completeWorkflow(access, r);
    expect((await access.read(target)).metadata.annotations[REMEDIATION_ANNOTATION]).toBe("rr-steps-1");
  });

  it("a retried action step finds its own marker and does not act again", async () => {
    const r = run("shop/cache-tools:1.0");
    await runStep(access, renderStep(r, 0));
    await access.patch(target, { strategy: "merge", body: { spec: { replicas: 1 } } });
    expect(await runStep(access, renderStep(r, 0))).toMatchObject({ state: "done", alreadyApplied: true });
    expect((await access.read(target)).spec.replicas).toBe(1);
  });

  it("a failing Job fails the step with the Job's reason and its logs, after its backoff limit", async () => {
    const flush = renderStep(run("shop/cache-tools:broken", 1), 1);
    let error: unknown;
    try {
      await untilDone(flush);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JobFailedError);
    expect((error as Error).message).toMatch(
      /BackoffLimitExceeded.*2 failed pod\(s\).*redis: connection refused/,
    );
    expect((error as JobFailedError).logs.match(/--- pod/g)).toHaveLength(2);
  });

  it("a retry of a Job step finds the Job its earlier attempt created: the script runs once", async () => {
    const flush = renderStep(run("shop/cache-tools:1.0"), 1);
    await runStep(access, flush);
    await runStep(access, flush);
    const jobs = (await access.batch.listNamespacedJob({ namespace: "shop" })).items;
    expect(jobs).toHaveLength(1);
  });

  it("a dry run shows every step's exact change, the Job's manifest included, and the final stamp", () => {
    const plan = plannedWorkflow(run("shop/cache-tools:1.0"));
    expect(plan.steps.map((s) => s.name)).toEqual(["scale", "flush"]);
    expect(plan.steps[0]?.calls).toEqual([
      expect.objectContaining({
        method: "PATCH",
        body: {
          metadata: {
            resourceVersion: "<current>",
            annotations: { [REMEDIATION_STEP_ANNOTATION]: "rr-steps-1/0" },
          },
          spec: { replicas: 3 },
        },
      }),
    ]);
    expect(plan.steps[1]).toMatchObject({
      job: { namespace: "shop", timeout: "1m", backoffLimit: 0 },
      calls: [{ method: "POST", path: "/apis/batch/v1/namespaces/shop/jobs", body: { kind: "Job" } }],
    });
    expect(plan.calls.at(-1)).toMatchObject({
      body: { metadata: { annotations: { [REMEDIATION_ANNOTATION]: "rr-steps-1" } } },
    });
  });
});

describe("every catalog action", () => {
  it("has an executor", () => {
    expect([...SUPPORTED_ACTIONS].sort()).toEqual([...ACTION_TYPES].sort());
  });

  const targets: Record<string, { kind: string; name: string; namespace?: string }> = {
    Deployment: { kind: "Deployment", name: "web", namespace: "shop" },
    StatefulSet: { kind: "StatefulSet", name: "db", namespace: "shop" },
    DaemonSet: { kind: "DaemonSet", name: "agent", namespace: "shop" },
    Pod: { kind: "Pod", name: "web-abc-1", namespace: "shop" },
    Node: { kind: "Node", name: "worker-1" },
  };
  /** Values the analysis would resolve for parameters that have no default. */
  const resolved: Record<string, ParameterValue> = {
    container: "app",
    memoryLimit: 805_306_368,
    replicas: 3,
    maxReplicas: 6,
  };

  it.each(CATALOG.flatMap((w) => w.targetKinds.map((kind) => ({ workflow: w, kind, id: w.id }))))(
    "$id on a $kind dry-runs every step to at least one call",
    ({ workflow, kind }) => {
      const parameters = { ...defaultParameters(workflow) };
      for (const name of Object.keys(workflow.parameters))
        if (parameters[name] === undefined && resolved[name] !== undefined) parameters[name] = resolved[name];
      const plan = plannedWorkflow({
        remediationId: "rr-dry",
        workflow,
        parameters,
        target: targets[kind] as { kind: string; name: string },
      });
      expect(plan.steps).toHaveLength(workflow.steps.length);
      for (const step of plan.steps) expect(step.calls.length, step.name).toBeGreaterThan(0);
    },
  );
});

describe("jobState", () => {
  const now = Date.parse("2026-01-01T00:10:00Z");
  const job = (status: K8s) => ({
    metadata: { name: "j", creationTimestamp: "2026-01-01T00:00:00Z" },
    status,
  });
  it.each([
    ["complete", { conditions: [{ type: "Complete", status: "True" }] }, 600_000, "succeeded"],
    [
      "failed by its controller",
      { conditions: [{ type: "Failed", status: "True", reason: "DeadlineExceeded" }], failed: 1 },
      600_000,
      "failed",
    ],
    ["running within its timeout", { startTime: "2026-01-01T00:09:00Z", active: 1 }, 600_000, "running"],
    [
      "running past its timeout and the grace",
      { startTime: "2026-01-01T00:00:00Z", active: 1 },
      60_000,
      "failed",
    ],
    ["just created", {}, 60_000, "failed"],
    [
      "a condition that is not true yet",
      { conditions: [{ type: "Complete", status: "False" }], startTime: "2026-01-01T00:09:59Z" },
      60_000,
      "running",
    ],
  ])("%s → %s", (_, status, timeoutMs, state) => {
    expect(jobState(job(status), now, timeoutMs).state).toBe(state);
  });
});
