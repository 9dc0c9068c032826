import { serve } from "@hono/node-server";
import { main } from "@kubernaut/cli";
import { isTerminal, type Suggestion } from "@kubernaut/core";
import { afterEach, describe, expect, it } from "vitest";
import { webhook } from "./support/alerts";
import { simulatedCluster } from "./support/cluster";
import { apiRequest, createPipelineHarness, type PipelineHarness } from "./support/pipeline";
import { ADMIN_TOKEN, VIEWER_TOKEN } from "./support/store";

// DESIGN §3.3 (issue 9, item 5): no workflow matches → a stored, notified plan; a reviewed plan becomes
// a registered workflow at trust level observe, which the next such alert runs dry.
let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

const unknownAlert = webhook([
  {
    labels: {
      alertname: "CheckoutQueueBacklog",
      severity: "warning",
      namespace: "staging",
      deployment: "checkout",
    },
    annotations: {
      description: "orders wait more than 5 minutes",
      runbook_url: "https://runbooks.example/queue",
    },
  },
]);

async function harness(clusterUrl?: string) {
  const h = await createPipelineHarness(
    { remediationOrchestrator: { dryRun: false } },
    clusterUrl ? { clusterUrl } : {},
  );
  closers.push(() => h.pipeline.close());
  return h;
}

async function suggestionFor(h: PipelineHarness) {
  const [created] = await h.postAlerts(unknownAlert);
  const rr = await h.waitFor(created?.remediationId as string, (r) => isTerminal(r.phase));
  const response = await apiRequest(
    h,
    "GET",
    `/api/v1/suggestions/${rr.analysis?.suggestionId}`,
    undefined,
    VIEWER_TOKEN,
  );
  expect(response.status).toBe(200);
  return { rr, suggestion: (await response.json()) as Suggestion };
}

describe("suggestions", () => {
  it("an unknown alert leaves a stored step-by-step plan, and the remediation waits for a human", async () => {
    const h = await harness();
    const { rr, suggestion } = await suggestionFor(h);
    expect(rr).toMatchObject({ phase: "Completed", outcome: "ManualReviewRequired" });
    expect(rr.reason).toMatch(
      /^no workflow matches; suggestion sug-rr-\S+ \(POST \/api\/v1\/suggestions\/sug-rr-\S+\/workflow makes it a workflow\): CheckoutQueueBacklog on Deployment\/checkout/,
    );
    expect(suggestion).toMatchObject({
      remediationId: rr.id,
      alertName: "CheckoutQueueBacklog",
      target: { kind: "Deployment", name: "checkout", namespace: "staging" },
      status: "Open",
      proposedActionType: "RestartPod",
    });
    expect(suggestion.steps[0]?.description).toContain("https://runbooks.example/queue");
    expect(suggestion.steps.at(-1)).toMatchObject({ kind: "action", actionType: "RestartPod" });
    const list = (await (
      await apiRequest(h, "GET", "/api/v1/suggestions", undefined, VIEWER_TOKEN)
    ).json()) as {
      items: Suggestion[];
    };
    expect(list.items.map((s) => s.id)).toEqual([suggestion.id]);
  });

  it("a reviewed suggestion becomes a workflow at observe, and the next such alert runs it dry", async () => {
    const h = await harness();
    const { rr, suggestion } = await suggestionFor(h);
    const converted = await apiRequest(h, "POST", `/api/v1/suggestions/${suggestion.id}/workflow`, {
      workflowId: "queue-backlog-restart-v1",
      parameters: { mode: "rolloutRestart" },
      reason: "a rollout restart drains the stuck consumers",
    });
    expect(converted.status).toBe(201);
    expect(await converted.json()).toMatchObject({
      workflow: {
        id: "queue-backlog-restart-v1",
        actionType: "RestartPod",
        signals: ["CheckoutQueueBacklog"],
        targetKinds: ["Deployment"],
        parameters: { mode: { default: "rolloutRestart" } },
      },
      trust: { level: "observe" },
    });
    const workflows = (await (await apiRequest(h, "GET", "/api/v1/workflows")).json()) as {
      items: Array<{ id: string; trust: { level: string } }>;
    };
    expect(workflows.items.find((w) => w.id === "queue-backlog-restart-v1")?.trust.level).toBe("observe");

    // The first remediation's hold (manual review) would swallow the next alert; the operator lifts it.
    await apiRequest(h, "POST", `/api/v1/fingerprints/${rr.fingerprint}/release`, {
      reason: "workflow registered",
    });
    const [next] = await h.postAlerts(unknownAlert);
    const dry = await h.waitFor(next?.remediationId as string, (r) => isTerminal(r.phase));
    expect(dry).toMatchObject({
      phase: "Completed",
      outcome: "DryRun",
      analysis: { workflowId: "queue-backlog-restart-v1", parameters: { mode: "rolloutRestart" } },
    });
    expect(dry.reason).toMatch(/Level 2 \(selective trust\): queue-backlog-restart-v1 is at observe/);

    // Graduating it works like any catalog workflow.
    const graduated = await apiRequest(h, "PATCH", "/api/v1/workflows/queue-backlog-restart-v1/trust", {
      level: "approve",
      reason: "reviewed the dry runs",
    });
    expect(graduated.status).toBe(200);
  });

  it.each([
    {
      case: "an unknown suggestion",
      id: "sug-missing",
      body: { workflowId: "x-v1", reason: "r" },
      status: 404,
      message: /sug-missing does not exist/,
    },
    {
      case: "a badly named workflow",
      body: { workflowId: "Bad Name", reason: "r" },
      status: 400,
      message: /workflowId: must look like name-vN/,
    },
    { case: "no reason", body: { workflowId: "x-v1" }, status: 400, message: /reason/ },
    {
      case: "an action type not in the catalog",
      body: { workflowId: "x-v1", actionType: "DeleteNamespace", reason: "r" },
      status: 400,
      message: /DeleteNamespace is not in the catalog \(known: .*RestartPod/,
    },
    {
      case: "an action that cannot act on the target's kind",
      body: { workflowId: "x-v1", actionType: "CordonDrainNode", reason: "r" },
      status: 400,
      message: /cannot act on a Deployment/,
    },
    {
      case: "a parameter the action does not have",
      body: { workflowId: "x-v1", parameters: { replicas: 3 }, reason: "r" },
      status: 400,
      message: /replicas: not a parameter/,
    },
    {
      case: "a parameter outside its schema",
      body: { workflowId: "x-v1", parameters: { mode: "explode" }, reason: "r" },
      status: 400,
      message: /mode/,
    },
    {
      case: "a built-in workflow's id",
      body: { workflowId: "restart-pod-v1", reason: "r" },
      status: 409,
      message: /restart-pod-v1 already exists/,
    },
    { case: "a viewer", body: { workflowId: "x-v1", reason: "r" }, status: 403, token: VIEWER_TOKEN },
  ])("refuses $case and registers nothing", async ({ id, body, status, message, token }) => {
    const h = await harness();
    const { suggestion } = await suggestionFor(h);
    const response = await apiRequest(
      h,
      "POST",
      `/api/v1/suggestions/${id ?? suggestion.id}/workflow`,
      body,
      token,
    );
    expect(response.status).toBe(status);
    if (message)
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(message);
    expect(await h.deps.trust.registered()).toEqual([]);
    expect((await h.deps.suggestions.get(suggestion.id))?.status).toBe("Open");
  });

  it("converts once: a second conversion (a double click) is a conflict", async () => {
    const h = await harness();
    const { suggestion } = await suggestionFor(h);
    const convert = (workflowId: string) =>
      apiRequest(h, "POST", `/api/v1/suggestions/${suggestion.id}/workflow`, { workflowId, reason: "r" });
    const [a, b] = await Promise.all([convert("first-v1"), convert("second-v1")]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect(await h.deps.trust.registered()).toHaveLength(1);
    expect((await h.deps.suggestions.get(suggestion.id))?.status).toBe("Converted");
  });

  it("reads the evidence: pods no node can take get a scheduling plan", async () => {
    const cluster = await simulatedCluster();
    closers.push(cluster.close);
    // Every node cordoned, then a new workload: its pods stay Pending with no node.
    for (const node of cluster.simulator.store.list("Node"))
      await cluster.access.patch(
        { kind: "Node", name: node.metadata.name },
        { strategy: "strategic", body: { spec: { unschedulable: true } } },
      );
    cluster.simulator.apply({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "reports", namespace: "staging" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "reports" } },
        template: {
          metadata: { labels: { app: "reports" } },
          spec: { containers: [{ name: "c", image: "reports:1" }] },
        },
      },
    });
    const h = await harness(cluster.url);
    const [created] = await h.postAlerts(
      webhook([
        {
          labels: {
            alertname: "ReportsBacklog",
            severity: "warning",
            namespace: "staging",
            deployment: "reports",
          },
        },
      ]),
    );
    const rr = await h.waitFor(created?.remediationId as string, (r) => isTerminal(r.phase));
    expect(rr.outcome).toBe("ManualReviewRequired");
    const suggestion = await h.deps.suggestions.get(rr.analysis?.suggestionId as string);
    expect(suggestion?.summary).toBe("pods of Deployment/reports in staging cannot be scheduled");
    expect(suggestion?.proposedActionType).toBe("ScaleReplicas");
    expect(suggestion?.steps.map((s) => s.kind)).toEqual(["investigate", "investigate", "action"]);
  });

  it("the CLI lists, shows and converts a suggestion over the HTTP API", async () => {
    const h = await harness();
    const { suggestion } = await suggestionFor(h);
    const server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((resolve) => server.once("listening", resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const { port } = server.address() as { port: number };
    const cli = async (...args: string[]) => {
      const lines: string[] = [];
      const code = await main([...args, "--url", `http://127.0.0.1:${port}`, "--token", ADMIN_TOKEN], (l) =>
        lines.push(l),
      );
      return { code, lines };
    };

    expect((await cli("suggestions", "list")).lines).toEqual([
      `${suggestion.id}  Open  CheckoutQueueBacklog on Deployment/checkout in staging`,
    ]);
    const shown = await cli("suggestions", "show", suggestion.id);
    expect(shown.lines[0]).toMatch(
      new RegExp(`^${suggestion.id} \\(Open\\) for ${suggestion.remediationId}: `),
    );
    expect(shown.lines.at(-1)).toBe("  proposed action type: RestartPod");
    const converted = await cli(
      "suggestions",
      "convert",
      suggestion.id,
      "--workflow",
      "queue-restart-v1",
      "--reason",
      "reviewed",
      "--param",
      "mode=rolloutRestart",
    );
    expect(converted).toEqual({
      code: 0,
      lines: ["registered queue-restart-v1 (RestartPod) at trust level observe"],
    });
    expect((await cli("suggestions", "list")).lines[0]).toMatch(/Converted → queue-restart-v1/);
  });
});
