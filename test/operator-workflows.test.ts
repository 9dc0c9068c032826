import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ClusterAccess, REMEDIATION_ANNOTATION } from "@kubernaut/cluster";
import { isTerminal, type RemediationRequest } from "@kubernaut/core";
import { TransientError } from "@kubernaut/pipeline";
import { sourcePath } from "@kubernaut/policy";
import { CatalogError } from "@kubernaut/workflows/load";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { webhook } from "./support/alerts";
import { simulatedCluster } from "./support/cluster";
import { createPipelineHarness, type PipelineHarness } from "./support/pipeline";
import { ADMIN_TOKEN } from "./support/store";

// Issue 23: operator-authored workflows — several steps, a Kubernetes Job among them — registered from
// the catalog directory and the API, run by the state machine step by step on the simulated cluster,
// whose behaviour model decides whether the Job's pod succeeds.

const TARGET = { kind: "Deployment", name: "checkout", namespace: "staging" } as const;

/** Scale the workers, then one more step: a patch, or the team's cache-flush image as a Job. */
function workflow(id: string, second: Record<string, unknown>, version = "1.0.0") {
  return {
    id,
    version,
    actionType: "ScaleAndFlush",
    description: {
      what: "Scale the queue workers up, then clear what keeps them slow.",
      whenToUse: "The checkout queue backs up while the pods look healthy.",
      whenNotToUse: "The backlog comes from a dependency being down.",
    },
    signals: ["QueueBacklogHigh"],
    targetKinds: ["Deployment"],
    parameters: {
      replicas: { type: "integer", description: "workers", default: 4, minimum: 1, maximum: 10 },
    },
    reversible: true,
    blastRadius: "the workers and their cache",
    // The operator trusts their runbook from the start (it is what they run by hand).
    initialTrust: "automate",
    steps: [
      { name: "scale", action: "ScaleReplicas", with: { replicas: "{{ parameters.replicas }}" } },
      second,
    ],
  };
}

const PATCH_STEP = {
  name: "mark-backlog",
  action: "PatchResource",
  with: {
    patch: { metadata: { annotations: { "shop.example/backlog-scaled": "to {{ parameters.replicas }}" } } },
  },
};
const jobStep = (image: string) => ({
  name: "flush-cache",
  job: {
    image,
    args: ["flush", "--deployment={{ target.name }}"],
    env: { REMEDIATION: "{{ remediation.id }}" },
    timeout: "2m",
    backoffLimit: 1,
  },
});

const backlog = () =>
  webhook([
    {
      labels: {
        alertname: "QueueBacklogHigh",
        severity: "warning",
        namespace: "staging",
        deployment: "checkout",
      },
    },
  ]);

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

function catalogDirectory(workflows: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "kubernaut-operator-catalog-"));
  for (const [file, value] of Object.entries(workflows)) writeFileSync(join(dir, file), stringify(value));
  return dir;
}

async function setUp(
  workflows: Record<string, unknown>,
  options: Parameters<typeof createPipelineHarness>[1] = {},
  config: Parameters<typeof createPipelineHarness>[0] = {},
) {
  const cluster = await simulatedCluster({
    images: {
      "shop/cache-tools:1.0": { runsForMs: 100, logs: "flushed 1200 keys\n" },
      "shop/cache-tools:broken": { crash: true, exitCode: 3, logs: "redis: connection refused\n" },
    },
  });
  const h = await createPipelineHarness(
    {
      remediationOrchestrator: { dryRun: false },
      // The starter policy auto-approves a workflow at automate in staging above the threshold; selection
      // by declared signal has confidence 0.75.
      aianalysis: { rego: { policy: sourcePath("starter"), confidenceThreshold: 0.7 } },
      catalog: { directory: catalogDirectory(workflows) },
      ...config,
    },
    { clusterUrl: cluster.url, ...options },
  );
  closers.push(cluster.close, () => h.pipeline.close());
  return { h, cluster };
}

async function remediate(h: PipelineHarness): Promise<RemediationRequest> {
  const [created] = await h.postAlerts(backlog());
  expect(created?.status).toBe("created");
  return h.waitFor(created?.remediationId as string, (r) => r.phase === "Verifying" || isTerminal(r.phase));
}

const read = (access: ClusterAccess) => access.read(TARGET);
const auditTypes = async (h: PipelineHarness, id: string) =>
  ((await h.store.timeline(id))?.audit ?? []).map((e) => e.type);

describe("operator workflows from the catalog directory, end to end", () => {
  it("a two-step workflow runs both steps in order, records each, and verifies the rollout", async () => {
    const { h, cluster } = await setUp({ "scale-and-mark.yaml": workflow("scale-and-mark-v1", PATCH_STEP) });

    const rr = await remediate(h);

    expect(rr).toMatchObject({
      phase: "Verifying",
      analysis: { workflowId: "scale-and-mark-v1", workflowVersion: "1.0.0", actionType: "ScaleAndFlush" },
      workflowExecution: {
        workflowId: "scale-and-mark-v1",
        workflowVersion: "1.0.0",
        stepResults: [
          {
            index: 0,
            name: "scale",
            action: "ScaleReplicas",
            status: "done",
            summary: "scaled from 2 to 4 replicas",
          },
          { index: 1, name: "mark-backlog", action: "PatchResource", status: "done" },
        ],
      },
    });
    const checkout = await read(cluster.access);
    expect(checkout.spec.replicas).toBe(4);
    expect(checkout.metadata.annotations).toMatchObject({
      "shop.example/backlog-scaled": "to 4",
      // Written after the last step: the workflow is done.
      [REMEDIATION_ANNOTATION]: rr.id,
    });
    expect(await auditTypes(h, rr.id)).toEqual(
      expect.arrayContaining(["WorkflowExecutionStarted", "WorkflowStepCompleted", "WorkflowExecuted"]),
    );
  });

  it("a Job step runs the operator's image in the target's namespace; success is the Job completing, its logs are kept", async () => {
    const { h, cluster } = await setUp({
      "flush.yaml": workflow("scale-and-flush-v1", jobStep("shop/cache-tools:1.0")),
    });

    const rr = await remediate(h);

    expect(rr.phase).toBe("Verifying");
    const [scale, flush] = rr.workflowExecution?.stepResults ?? [];
    expect(scale).toMatchObject({ status: "done" });
    expect(flush).toMatchObject({
      name: "flush-cache",
      action: "Job",
      job: expect.stringMatching(/^kubernaut-\w+-1-flush-cache$/),
      status: "done",
      summary: expect.stringMatching(/completed$/),
      logs: expect.stringContaining("flushed 1200 keys"),
    });
    const job = await cluster.access.batch.readNamespacedJob({
      name: flush?.job as string,
      namespace: "staging",
    });
    expect(job.spec?.template.spec?.containers[0]).toMatchObject({
      image: "shop/cache-tools:1.0",
      args: ["flush", "--deployment=checkout"],
      env: [{ name: "REMEDIATION", value: rr.id }],
    });
    expect(job.spec?.activeDeadlineSeconds).toBe(120);
  });

  it("a step failing mid-way ends the remediation Failed naming the step and why; the step before stays done", async () => {
    const { h, cluster } = await setUp({
      "flush.yaml": workflow("scale-and-flush-v1", jobStep("shop/cache-tools:broken")),
    });

    const rr = await remediate(h);

    expect(rr).toMatchObject({ phase: "Failed", failurePhase: "Executing" });
    expect(rr.reason).toMatch(
      /^JobFailed: step 2 of 2 \(flush-cache\): Job kubernaut-\S+ failed: BackoffLimitExceeded.*2 failed pod\(s\).*redis: connection refused/,
    );
    expect(rr.workflowExecution?.stepResults).toMatchObject([
      { name: "scale", status: "done" },
      { name: "flush-cache", status: "failed", logs: expect.stringContaining("redis: connection refused") },
    ]);
    expect(rr.workflowExecution?.appliedAt).toBeUndefined();
    // Scaled (step 1 ran), never marked done.
    const checkout = await read(cluster.access);
    expect(checkout.spec.replicas).toBe(4);
    expect(checkout.metadata.annotations?.[REMEDIATION_ANNOTATION]).toBeUndefined();
    expect(await auditTypes(h, rr.id)).toContain("WorkflowStepFailed");
  });

  it("a crash between two steps: the retry resumes at the next step and does not redo the finished one", async () => {
    let crashed = 0;
    let lastCrashed = 0;
    const { h, cluster } = await setUp(
      { "flush.yaml": workflow("scale-and-flush-v1", jobStep("shop/cache-tools:1.0")) },
      {
        wrapHandlers: (handlers) => ({
          ...handlers,
          // Step 1 (run by the Execute task) did its work and recorded it, then the Lambda died before
          // answering.
          execute: async (payload) => {
            const result = await handlers.execute(payload);
            if (crashed++ === 0) throw new TransientError("execute crashed after step 1");
            return result;
          },
          // And ExecuteStep: it created step 2's Job (still running), then its Lambda died too; the
          // retry finds that Job instead of creating another.
          "execute-step": async (payload) => {
            const result = await handlers["execute-step"](payload);
            if ((result as { waiting?: boolean } | undefined)?.waiting && lastCrashed++ === 0)
              throw new TransientError("execute-step crashed after creating step 2's Job");
            return result;
          },
        }),
      },
    );
    const scalesBefore = cluster.simulator.requests.filter(
      (r) => r.verb === "patch" && r.path.endsWith("/namespaces/staging/deployments/checkout"),
    ).length;

    const rr = await remediate(h);

    expect(crashed).toBe(2);
    expect(lastCrashed).toBeGreaterThanOrEqual(2);
    expect(rr.phase).toBe("Verifying");
    // One write of step 1's scale and the completion stamp; one Job created.
    const patches = cluster.simulator.requests.filter(
      (r) => r.verb === "patch" && r.path.endsWith("/namespaces/staging/deployments/checkout"),
    );
    expect(patches.length - scalesBefore).toBe(2);
    expect(
      cluster.simulator.requests.filter(
        (r) => r.verb === "create" && r.path.endsWith("/namespaces/staging/jobs"),
      ),
    ).toHaveLength(1);
    const audit = (await h.store.timeline(rr.id))?.audit ?? [];
    expect(audit.filter((e) => e.type === "WorkflowStepCompleted")).toHaveLength(1);
    expect(rr.workflowExecution?.stepResults?.map((s) => s.status)).toEqual(["done", "done"]);
  });

  it("a dry run (Level 1) shows every step's exact change, the Job's manifest included", async () => {
    const { h } = await setUp(
      { "flush.yaml": workflow("scale-and-flush-v1", jobStep("shop/cache-tools:1.0")) },
      {},
      { remediationOrchestrator: { dryRun: true } },
    );

    const rr = await remediate(h);

    expect(rr).toMatchObject({ phase: "Completed", outcome: "DryRun" });
    expect(rr.wouldHaveDone).toMatchObject({
      workflowId: "scale-and-flush-v1",
      workflowVersion: "1.0.0",
      change: {
        steps: [
          {
            name: "scale",
            action: "ScaleReplicas",
            calls: [{ method: "PATCH", body: { spec: { replicas: 4 } } }],
          },
          {
            name: "flush-cache",
            job: { namespace: "staging", timeout: "2m", backoffLimit: 1 },
            calls: [
              {
                method: "POST",
                path: "/apis/batch/v1/namespaces/staging/jobs",
                body: {
                  kind: "Job",
                  spec: {
                    activeDeadlineSeconds: 120,
                    template: {
                      spec: {
                        containers: [
                          { image: "shop/cache-tools:1.0", args: ["flush", "--deployment=checkout"] },
                        ],
                      },
                    },
                  },
                },
              },
            ],
          },
        ],
      },
    });
  });

  it("a catalog directory with a bad file refuses to load, naming the file, the path and the reason", async () => {
    const bad = workflow("bad-flush-v1", { name: "flush", job: { image: "shop/cache-tools:1.0" } });
    await expect(
      setUp({ "good.yaml": workflow("scale-and-mark-v1", PATCH_STEP), "bad.yaml": bad }),
    ).rejects.toThrow(CatalogError);
    await expect(setUp({ "bad.yaml": bad })).rejects.toThrow(
      /bad\.yaml: steps\.1\.job\.timeout: a Job step needs a timeout/,
    );
  });
});

describe("operator workflows through the API", () => {
  const post = (h: PipelineHarness, body: string, type = "application/yaml") =>
    h.app.request("/api/v1/workflows?reason=our%20runbook", {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": type },
      body,
    });

  it("registers a workflow; a new version starts at observe and remediations record the version they ran", async () => {
    // The shipped default (the test config turns it off so the built-ins run without graduating).
    const { h } = await setUp(
      {},
      {},
      { remediationOrchestrator: { dryRun: false, newWorkflowsDryRun: true } },
    );
    const v1 = { ...workflow("scale-and-mark-v1", PATCH_STEP), initialTrust: undefined };

    const created = await post(h, stringify(v1));
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      status: "registered",
      trust: { level: "observe", version: "1.0.0" },
    });
    expect((await post(h, stringify(v1))).status).toBe(200);
    // The same version with other steps is refused: a version names one set of steps.
    const changed = await post(h, stringify({ ...v1, steps: [v1.steps[0]] }));
    expect(changed.status).toBe(409);

    // Graduated, then replaced by a new version: that one starts over at observe.
    const graduate = await h.app.request("/api/v1/workflows/scale-and-mark-v1/trust", {
      method: "PATCH",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ level: "automate", reason: "ran by hand for a year" }),
    });
    expect(graduate.status).toBe(200);
    const v2 = await post(h, JSON.stringify({ ...v1, version: "1.1.0" }), "application/json");
    expect(await v2.json()).toMatchObject({
      status: "registered",
      trust: { level: "observe", version: "1.1.0" },
    });

    const rr = await remediate(h);
    expect(rr).toMatchObject({
      outcome: "DryRun",
      analysis: { workflowId: "scale-and-mark-v1", workflowVersion: "1.1.0" },
    });
    const report = (await (
      await h.app.request("/api/v1/graduation", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    ).json()) as { items: Array<{ workflowId: string; version?: string; level: string }> };
    expect(report.items.find((r) => r.workflowId === "scale-and-mark-v1")).toMatchObject({
      version: "1.1.0",
      level: "observe",
    });
  });

  it.each([
    ["an unknown action", { name: "x", action: "FlushCache" }, "steps.1.action: unknown action FlushCache"],
    [
      "a parameter referenced but not declared",
      { name: "x", action: "ScaleReplicas", with: { replicas: "{{ parameters.workers }}" } },
      "steps.1.with.replicas: refers to parameter workers, which the workflow does not declare",
    ],
    [
      "a template that does not render",
      { name: "x", job: { image: "{{ target.image }}", timeout: "1m" } },
      "steps.1.job.image: {{ target.image }}: a target has kind, name, namespace and cluster, not image",
    ],
    [
      "a Job without a timeout",
      { name: "x", job: { image: "shop/cache-tools:1.0" } },
      "steps.1.job.timeout: a Job step needs a timeout",
    ],
  ])("refuses %s with the path and the reason, and registers nothing", async (_, step, reason) => {
    const { h } = await setUp({});
    const response = await post(h, stringify(workflow("refused-v1", step)));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toContain("nothing was registered");
    expect(body.error.message).toContain(reason);
    expect(await h.deps.trust.definitionOf("refused-v1")).toBeUndefined();
  });

  it("never replaces a workflow of the catalog directory or a built-in one", async () => {
    const { h } = await setUp({ "mark.yaml": workflow("scale-and-mark-v1", PATCH_STEP) });
    expect((await post(h, stringify(workflow("scale-and-mark-v1", PATCH_STEP, "2.0.0")))).status).toBe(409);
    expect((await post(h, stringify({ ...workflow("crashloop-rollback-v1", PATCH_STEP) }))).status).toBe(409);
  });
});
