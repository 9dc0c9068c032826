import type { ClusterAccess, K8s } from "@kubernaut/cluster";
import { isTerminal } from "@kubernaut/core";
import { sourcePath } from "@kubernaut/policy";
import { approvalIdFor, leaseKey } from "@kubernaut/store";
import { parseQuantity } from "@kubernaut/workflows";
import { afterEach, describe, expect, it } from "vitest";
import { webhook } from "./support/alerts";
import { badRollout, simulatedCluster } from "./support/cluster";
import { createPipelineHarness, type PipelineHarness } from "./support/pipeline";
import { ADMIN_TOKEN } from "./support/store";

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

/** The pipeline with Level 1 off and the starter policy, acting on the demo scenario in the simulator. */
async function setUp() {
  const cluster = await simulatedCluster({
    images: {
      "shop/checkout:1.5.0-bad": { crash: true, logs: "panic: nil pointer dereference in loadConfig" },
    },
  });
  const h = await createPipelineHarness(
    { remediationOrchestrator: { dryRun: false }, aianalysis: { rego: { policy: sourcePath("starter") } } },
    { clusterUrl: cluster.url },
  );
  closers.push(cluster.close, () => h.pipeline.close());
  return { simulator: cluster.simulator, h, access: cluster.access };
}

describe("a crash after the change, before Execute reported it", () => {
  it("keeps the pre-change spec hash on the retry, so the execution record still shows the change", async () => {
    // Arrange: Execute does its work, then the Lambda dies once (Step Functions retries it).
    const cluster = await simulatedCluster({ images: { "shop/checkout:1.5.0-bad": { crash: true } } });
    let crashes = 0;
    const h = await createPipelineHarness(
      { remediationOrchestrator: { dryRun: false }, aianalysis: { rego: { policy: sourcePath("starter") } } },
      {
        clusterUrl: cluster.url,
        wrapHandlers: (handlers) => ({
          ...handlers,
          // The task that changes the cluster: Execute runs a workflow's first step (ExecuteStep the rest).
          execute: async (payload) => {
            const result = await handlers.execute(payload);
            if (crashes++ === 0)
              throw Object.assign(new Error("Sandbox.Timedout"), { name: "TransientError" });
            return result;
          },
        }),
      },
    );
    closers.push(cluster.close, () => h.pipeline.close());
    await badRollout(cluster.access, "staging");

    // Act
    const [created] = await h.postAlerts(crashAlert("staging"));
    const rr = await h.waitFor(
      created?.remediationId as string,
      (r) => r.phase === "Verifying" || isTerminal(r.phase),
    );

    // Assess: the retry found the change applied, and the record keeps the hash from before it.
    expect(crashes).toBe(2);
    const execution = rr.workflowExecution;
    expect(execution?.alreadyApplied).toBe(true);
    expect(execution?.preHash).toBeDefined();
    expect(execution?.preHash).not.toBe(execution?.postHash);
    const started = (await h.store.timeline(rr.id))?.audit.find((e) => e.type === "WorkflowExecutionStarted");
    expect(started?.details).toMatchObject({ preHash: execution?.preHash });
  });
});

const crashAlert = (namespace: string) =>
  webhook([
    { labels: { alertname: "KubePodCrashLooping", severity: "critical", namespace, deployment: "checkout" } },
  ]);

async function ready(access: ClusterAccess, namespace: string): Promise<boolean[]> {
  const pods = (await access.core.listNamespacedPod({ namespace, labelSelector: "app=checkout" }))
    .items as K8s[];
  return pods.map(
    (p) => p.status?.conditions?.some((c: K8s) => c.type === "Ready" && c.status === "True") ?? false,
  );
}

async function remediate(h: PipelineHarness, namespace: string) {
  const [created] = await h.postAlerts(crashAlert(namespace));
  expect(created?.status).toBe("created");
  return created?.remediationId as string;
}

describe("remediation on the simulated cluster", () => {
  it("staging: a crash loop after a bad rollout is rolled back by crashloop-rollback-v1, auto-approved, and the pods become Ready", async () => {
    const { h, access } = await setUp();
    await badRollout(access, "staging");
    expect(await ready(access, "staging")).toEqual([false, false]);

    const id = await remediate(h, "staging");
    const rr = await h.waitFor(id, (r) => r.phase === "Verifying" || isTerminal(r.phase));

    expect(rr.phase).toBe("Verifying");
    expect(rr.analysis).toMatchObject({
      investigator: "rules",
      workflowId: "crashloop-rollback-v1",
      confidence: 0.95,
      parameters: { toRevision: 1 },
    });
    expect(rr.policyDecision).toMatchObject({ requireApproval: false, degraded: false });
    // What the choice rested on is kept with it: its bulky part in an item of its own (issue 22), which
    // reading the remediation whole (the API's and the console's detail) brings back.
    const whole = (await h.store.timeline(rr.id))?.remediation;
    expect(whole?.analysis?.evidence).toMatchObject({
      rollout: [
        { revision: 2, changed: ["image shop/checkout:1.4.2 → shop/checkout:1.5.0-bad"] },
        { revision: 1 },
      ],
      logs: expect.arrayContaining([
        expect.objectContaining({ previous: true, tail: expect.stringContaining("panic: nil pointer") }),
      ]),
      resources: [{ container: "app", limits: { memory: "512Mi" } }],
      nodes: [{ name: "worker-1", ready: true, unschedulable: false, pressure: [] }],
      detectedLabels: { gitOpsManaged: false, pdbProtected: false, networkIsolated: false },
    });
    expect(rr.workflowExecution).toMatchObject({
      actionType: "RollbackDeployment",
      summary: "rolled back to revision 1 (shop/checkout:1.4.2)",
    });
    expect(rr.workflowExecution?.preHash).toMatch(/^[0-9a-f]{64}$/);
    expect(rr.workflowExecution?.postHash).not.toBe(rr.workflowExecution?.preHash);
    expect(await ready(access, "staging")).toEqual([true, true]);

    // The same is visible through the API.
    const response = await h.app.request(`/api/v1/remediations/${id}`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const body = (await response.json()) as {
      remediation: { workflowExecution: { preHash: string; postHash: string } };
      timeline: Array<{ type: string }>;
    };
    expect(body.remediation.workflowExecution.postHash).toBe(rr.workflowExecution?.postHash);
    expect(body.timeline.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        "PolicyEvaluated",
        "WorkflowExecutionStarted",
        "WorkflowExecuted",
        "RolloutChecked",
      ]),
    );
  });

  it("a reverted fix is a regression: the next analysis warns and the starter policy asks a human", async () => {
    const { h, access } = await setUp();
    await badRollout(access, "staging");
    const first = await h.waitFor(
      await remediate(h, "staging"),
      (r) => r.phase === "Verifying" || isTerminal(r.phase),
    );
    expect(first.workflowExecution?.actionType).toBe("RollbackDeployment");
    // The verdict is the effectiveness monitor's job (tested elsewhere); here it simply completes.
    await h.store.transition(
      first.id,
      { from: ["Verifying"], to: "Completed", outcome: "Remediated", reason: "effectiveness 1 (Full)" },
      { type: "system", id: "test", channel: "pipeline" },
    );

    // Past the recently-remediated cooldown (a routing guard of its own), someone redeploys the bad
    // version: the spec is back to the first remediation's pre-change hash.
    h.config.remediationOrchestrator.routing.recentlyRemediatedCooldown = 1;
    await badRollout(access, "staging");
    const second = await h.waitFor(
      await remediate(h, "staging"),
      (r) => r.phase === "AwaitingApproval" || isTerminal(r.phase),
    );
    expect(second.analysis?.workflowId).toBe("crashloop-rollback-v1");
    const evidence = second.analysis?.evidence as
      | { target: { specHash?: string }; warnings: string[] }
      | undefined;
    expect(evidence?.target.specHash).toBe(first.workflowExecution?.preHash);
    expect(evidence?.warnings).toContainEqual(
      expect.stringMatching(new RegExp(`^regression: .* before ${first.id}`)),
    );
    expect(second.phase).toBe("AwaitingApproval");
    expect(second.policyDecision?.requireApproval).toBe(true);
  });

  it("production: the same waits for approval and runs after an API approval", async () => {
    const { h, access } = await setUp();
    await badRollout(access, "production");
    const id = await remediate(h, "production");
    await h.waitFor(id, (r) => r.phase === "AwaitingApproval");
    expect(await ready(access, "production")).toEqual([false, false, false]);

    const decision = await h.app.request(`/api/v1/approvals/${approvalIdFor(id)}/decision`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ decision: "Approved" }),
    });
    expect(decision.status).toBe(200);
    expect((await h.waitFor(id, (r) => r.phase === "Verifying" || isTerminal(r.phase))).phase).toBe(
      "Verifying",
    );
    expect(await ready(access, "production")).toEqual([true, true, true]);
  });

  it("OOMKilled pods get the doubled limit as an absolute value and heal", async () => {
    const { h, access, simulator } = await setUp();
    simulator.setBehaviour({ memoryDemand: { "staging/checkout/app": "700Mi" }, readyAfterMs: 0 });
    const [created] = await h.postAlerts(
      webhook([
        {
          labels: {
            alertname: "KubeContainerOOMKilled",
            severity: "critical",
            namespace: "staging",
            deployment: "checkout",
          },
        },
      ]),
    );
    const rr = await h.waitFor(
      created?.remediationId as string,
      (r) => r.phase === "Verifying" || isTerminal(r.phase),
    );
    expect(rr.analysis).toMatchObject({
      workflowId: "increase-memory-limits-v1",
      parameters: { container: "app", memoryLimit: 1_073_741_824 },
    });
    const container = (await access.read({ kind: "Deployment", name: "checkout", namespace: "staging" })).spec
      .template.spec.containers[0];
    expect(container.resources.limits.memory).toBe("1Gi");
    expect(await ready(access, "staging")).toEqual([true, true]);
  });

  it("a target another remediation holds is ResourceBusy: Blocked, nothing applied", async () => {
    const { h, access, simulator } = await setUp();
    await badRollout(access, "staging");
    await h.deps.leases.acquire(
      leaseKey({ kind: "Deployment", name: "checkout", namespace: "staging" }),
      "rr-someone-else",
      60_000,
    );
    const patchesBefore = simulator.requests.filter((r) => r.verb === "patch").length;

    const id = await remediate(h, "staging");
    const rr = await h.waitFor(id, (r) => isTerminal(r.phase));

    expect(rr).toMatchObject({
      phase: "Blocked",
      reason: expect.stringMatching(
        /^ResourceBusy: Deployment\/checkout is being remediated by rr-someone-else/,
      ),
    });
    expect(simulator.requests.filter((r) => r.verb === "patch").length).toBe(patchesBefore);
  });

  it("a 403 on the patch fails the remediation naming the permission", async () => {
    const { h, access, simulator } = await setUp();
    await badRollout(access, "staging");
    simulator.deny("patch", "deployments", "staging");
    const id = await remediate(h, "staging");
    const rr = await h.waitFor(id, (r) => isTerminal(r.phase));
    expect(rr).toMatchObject({ phase: "Failed", failurePhase: "Executing" });
    expect(rr.reason).toContain(
      'ExecutionForbidden: RollbackDeployment on Deployment staging/checkout: deployments.apps "checkout" is forbidden',
    );
    expect(rr.reason).toContain(
      'cannot patch resource "deployments" in API group "apps" in the namespace "staging"',
    );
  });
});

describe("workflow statistics", () => {
  it("a statistics write that fails does not fail the approved remediation it counts", async () => {
    // Arrange: every write to a workflow's trust record fails, as a throttled or unavailable item would.
    const { h, access } = await setUp();
    let refused = 0;
    h.db.middlewareStack.add(
      (next, context) => async (args) => {
        const toTrustRecord = JSON.stringify(args.input).includes('"WF#');
        if (context.commandName === "UpdateItemCommand" && toTrustRecord) {
          refused++;
          throw Object.assign(new Error("the statistics item cannot be written (injected)"), {
            name: "ValidationException",
          });
        }
        return next(args);
      },
      { step: "initialize", name: "refuseStatistics" },
    );
    await badRollout(access, "staging");

    // Act
    const rr = await h.waitFor(
      await remediate(h, "staging"),
      (r) => r.phase === "Verifying" || isTerminal(r.phase),
    );

    // Assess: counted (and refused), yet the remediation executed.
    expect(refused).toBeGreaterThan(0);
    expect(rr.phase).toBe("Verifying");
    expect(rr.workflowExecution?.summary).toMatch(/^rolled back to revision/);
  });
});

describe("a multi-step workflow retried by Step Functions", () => {
  it("RestartPod: an Execute that died after deleting the pod, before marking it done, deletes no second pod on its retry", async () => {
    // Arrange: the pod is deleted, then marking the Deployment done fails and the task dies (as a Lambda
    // would, mid-way); Step Functions retries it.
    const cluster = await simulatedCluster({ images: { "shop/checkout:1.5.0-bad": { crash: true } } });
    let attempts = 0;
    const h = await createPipelineHarness(
      { remediationOrchestrator: { dryRun: false }, aianalysis: { rego: { policy: sourcePath("starter") } } },
      {
        clusterUrl: cluster.url,
        wrapHandlers: (handlers) => ({
          ...handlers,
          // RestartPod is one step, which the Execute task runs.
          execute: async (payload) => {
            attempts++;
            try {
              return await handlers.execute(payload);
            } catch (error) {
              if (attempts > 1) throw error;
              throw Object.assign(new Error(`Sandbox.Timedout (${(error as Error).message})`), {
                name: "TransientError",
              });
            }
          },
        }),
      },
    );
    closers.push(cluster.close, () => h.pipeline.close());
    const pods = async () =>
      (
        (
          await cluster.access.core.listNamespacedPod({
            namespace: "production",
            labelSelector: "app=checkout",
          })
        ).items as K8s[]
      )
        .map((p) => p.metadata.name as string)
        .sort();
    await badRollout(cluster.access, "production");
    const before = await pods();
    const id = await remediate(h, "production");
    await h.waitFor(id, (r) => r.phase === "AwaitingApproval");
    cluster.simulator.fail({ status: 400, times: 1, verb: "patch", resource: "deployments" });

    // Act: approved with a change to a pod restart.
    const decision = await h.app.request(`/api/v1/approvals/${approvalIdFor(id)}/decision`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        decision: "Approved",
        workflowOverride: {
          workflowName: "restart-pod-v1",
          parameters: { mode: "deletePod" },
          rationale: "one pod is stuck",
        },
      }),
    });
    expect(decision.status).toBe(200);
    const rr = await h.waitFor(
      id,
      (r) => r.workflowExecution?.appliedAt !== undefined || isTerminal(r.phase),
    );

    // Assess: exactly one pod was replaced, and the retry said it resumed.
    expect(attempts).toBe(2);
    const after = await pods();
    expect(before.filter((n) => !after.includes(n))).toHaveLength(1);
    expect(rr.workflowExecution).toMatchObject({
      workflowId: "restart-pod-v1",
      alreadyApplied: true,
      summary: expect.stringMatching(/^pod checkout-\S+ was deleted by an earlier attempt$/),
      steps: { victim: expect.stringContaining(before.find((n) => !after.includes(n)) as string) },
    });
    const audit = (await h.store.timeline(id))?.audit ?? [];
    expect(audit.filter((e) => e.type === "WorkflowStepRecorded")).toHaveLength(1);
  });
});

describe("DaemonSets", () => {
  it("an OOMKilled DaemonSet gets its larger limit, rolls out and is verified by the DaemonSet's own status", async () => {
    const { h, simulator, access } = await setUp();
    simulator.apply({
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "agent", namespace: "staging" },
      spec: {
        selector: { matchLabels: { app: "agent" } },
        template: {
          metadata: { labels: { app: "agent" } },
          spec: {
            containers: [{ name: "agent", image: "agent:1.0", resources: { limits: { memory: "128Mi" } } }],
          },
        },
      },
    });
    simulator.setBehaviour({ memoryDemand: { "staging/agent/agent": "200Mi" }, readyAfterMs: 0 });

    const [created] = await h.postAlerts(
      webhook([
        {
          labels: {
            alertname: "KubeContainerOOMKilled",
            severity: "critical",
            namespace: "staging",
            daemonset: "agent",
          },
        },
      ]),
    );
    const rr = await h.waitFor(
      created?.remediationId as string,
      (r) => r.phase === "Verifying" || isTerminal(r.phase),
    );

    expect(rr).toMatchObject({
      phase: "Verifying",
      workflowExecution: {
        workflowId: "increase-memory-limits-v1",
        rollout: expect.stringMatching(/^2\/2 scheduled pods updated, 2 available/),
      },
    });
    const agent = await access.read({ kind: "DaemonSet", name: "agent", namespace: "staging" });
    expect(parseQuantity(agent.spec.template.spec.containers[0].resources.limits.memory)).toBeGreaterThan(
      200 * 1024 * 1024,
    );
  });
});
