import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { sha256Hex as sha256 } from "@kubernaut/config";
import { isTerminal } from "@kubernaut/core";
import { mcpRoutes } from "@kubernaut/mcp";
import { approvalIdFor } from "@kubernaut/store";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, describe, expect, it } from "vitest";
import { webhook } from "./support/alerts";
import { simulatedCluster } from "./support/cluster";
import { createPipelineHarness, type PipelineHarness } from "./support/pipeline";
import { ADMIN_TOKEN, VIEWER_TOKEN } from "./support/store";

// Issue 13, MCP: an assistant reviews and decides through the same API as everyone else, as the
// token's identity, over the SDK's Streamable HTTP client.
const ASSISTANT_TOKEN = "test-assistant-token";

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

async function setUp() {
  const cluster = await simulatedCluster();
  closers.push(cluster.close);
  // No approval policy: every remediation waits for a human (or an assistant acting for one).
  const h = await createPipelineHarness(
    {
      remediationOrchestrator: { dryRun: false },
      auth: {
        apiTokens: [
          {
            name: "sre-assistant",
            role: "approver",
            sha256: sha256(ASSISTANT_TOKEN),
            scopes: [{ environments: ["production"] }],
          },
        ],
      },
    },
    { clusterUrl: cluster.url },
  );
  closers.push(() => h.pipeline.close());
  h.app.route(
    "/",
    mcpRoutes((request) => h.app.fetch(request), h.config.auth.apiTokens),
  );
  const server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
  return { h, cluster, url };
}

async function connect(url: URL, token: string) {
  const client = new Client({ name: "kubernaut-test", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(url, {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  closers.push(() => client.close());
  return client;
}

const text = (result: Awaited<ReturnType<Client["callTool"]>>) =>
  (result.content as Array<{ type: string; text: string }>)[0]?.text ?? "";

async function oomInProduction(h: PipelineHarness, cluster: Awaited<ReturnType<typeof simulatedCluster>>) {
  cluster.simulator.setBehaviour({ memoryDemand: { "production/checkout/app": "700Mi" }, readyAfterMs: 0 });
  const [created] = await h.postAlerts(
    webhook([
      {
        labels: {
          alertname: "KubeContainerOOMKilled",
          severity: "critical",
          namespace: "production",
          deployment: "checkout",
        },
      },
    ]),
  );
  const id = created?.remediationId as string;
  await h.waitFor(id, (r) => r.phase === "AwaitingApproval");
  return id;
}

describe("the MCP server", () => {
  it("lists pending approvals and approves one with a changed parameter as the token's identity", async () => {
    // Arrange
    const { h, cluster, url } = await setUp();
    const id = await oomInProduction(h, cluster);
    const client = await connect(url, ASSISTANT_TOKEN);

    // Act
    const tools = (await client.listTools()).tools.map((t) => t.name);
    const pending = JSON.parse(
      text(await client.callTool({ name: "list_pending_approvals", arguments: {} })),
    );
    const rca = JSON.parse(text(await client.callTool({ name: "explain_rca", arguments: { id } })));
    const decided = await client.callTool({
      name: "decide_approval",
      arguments: {
        approvalId: approvalIdFor(id),
        decision: "Approved",
        workflowName: "increase-memory-limits-v1",
        parameters: { container: "app", memoryLimit: "1.5Gi" },
        rationale: "1.5 GiB leaves headroom over the 700 MiB peak",
      },
    });
    const rr = await h.waitFor(id, (r) => r.phase === "Verifying" || isTerminal(r.phase));

    // Assess: the tools, the queue, the RCA, and the decision carried through to the cluster.
    expect(tools).toEqual(
      expect.arrayContaining([
        "list_remediations",
        "show_remediation",
        "explain_rca",
        "list_pending_approvals",
        "decide_approval",
        "graduation_report",
        "pause",
        "resume",
        "investigate_text",
        "intake_status",
      ]),
    );
    expect(pending.items.map((a: { remediationId: string }) => a.remediationId)).toEqual([id]);
    expect(JSON.stringify(pending)).not.toContain("taskToken");
    expect(rca).toMatchObject({
      id,
      workflowId: "increase-memory-limits-v1",
      parameters: { container: "app", memoryLimit: 1_073_741_824 },
    });
    expect(decided.isError).toBeFalsy();
    expect(rr.phase).toBe("Verifying");
    const container = (
      await cluster.access.read({ kind: "Deployment", name: "checkout", namespace: "production" })
    ).spec.template.spec.containers[0];
    expect(container.resources.limits.memory).toBe("1536Mi");
    // The timeline resource shows who decided, and through which channel.
    const resource = await client.readResource({ uri: `kubernaut://remediations/${id}/timeline` });
    const timeline = JSON.parse((resource.contents[0] as { text: string }).text).timeline as Array<{
      type: string;
      actor: { id: string; channel?: string };
    }>;
    const decision = timeline.find((e) => e.type === "ApprovalDecided");
    expect(decision?.actor).toMatchObject({ id: "sre-assistant", channel: "mcp" });
  });

  it("refuses an unknown token before the protocol, and lets the API refuse what a role may not do", async () => {
    const { h, cluster, url } = await setUp();
    const id = await oomInProduction(h, cluster);

    await expect(connect(url, "not-a-token")).rejects.toThrow(
      /"code":"unauthorized","message":"invalid API token"/,
    );
    const viewer = await connect(url, VIEWER_TOKEN);
    const refused = await viewer.callTool({
      name: "decide_approval",
      arguments: { approvalId: approvalIdFor(id), decision: "Approved" },
    });
    const pause = await viewer.callTool({ name: "pause", arguments: { reason: "testing" } });

    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/^403 forbidden: token "viewer" has role viewer; this needs approver/);
    expect(pause.isError).toBe(true);
    expect(text(pause)).toMatch(/^403 forbidden/);
    expect((await h.approvals.get(approvalIdFor(id)))?.decision).toBeUndefined();
    expect((await h.deps.trust.paused()).paused).toBe(false);
  });

  it("validates an approve-with-changes like the API: out-of-schema parameters change nothing", async () => {
    const { h, cluster, url } = await setUp();
    const id = await oomInProduction(h, cluster);
    const client = await connect(url, ADMIN_TOKEN);

    const result = await client.callTool({
      name: "decide_approval",
      arguments: {
        approvalId: approvalIdFor(id),
        decision: "Approved",
        workflowName: "increase-memory-limits-v1",
        parameters: { container: "app", memoryLimit: 1024 },
        rationale: "tiny",
      },
    });

    expect(result.isError).toBe(true);
    expect(text(result)).toContain("workflowOverride.parameters.memoryLimit: must be ≥ 16Mi");
    expect((await h.approvals.get(approvalIdFor(id)))?.decision).toBeUndefined();
    expect((await h.store.get(id))?.phase).toBe("AwaitingApproval");
  });

  it("pauses and resumes for an admin, audited with the MCP channel, and reports graduation", async () => {
    const { h, url } = await setUp();
    const client = await connect(url, ADMIN_TOKEN);

    const paused = JSON.parse(
      text(await client.callTool({ name: "pause", arguments: { reason: "incident 42" } })),
    );
    const resumed = JSON.parse(text(await client.callTool({ name: "resume", arguments: {} })));
    const report = JSON.parse(text(await client.callTool({ name: "graduation_report", arguments: {} })));

    expect(paused).toMatchObject({ paused: true, reason: "incident 42" });
    expect(resumed).toMatchObject({ paused: false });
    expect(Array.isArray(report.items)).toBe(true);
    const events = await h.systemAudit.day(new Date().toISOString().slice(0, 10));
    expect(events.filter((e) => e.type === "Paused" || e.type === "Resumed").map((e) => e.actor)).toEqual([
      { type: "user", id: "local-admin", channel: "mcp" },
      { type: "user", id: "local-admin", channel: "mcp" },
    ]);
  });
});
