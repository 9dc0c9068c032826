import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { isTerminal } from "@kubernaut/core";
import { type LocalLoop, sampleAlert, startLocalLoop, startupLines } from "@kubernaut/local";
import { sourcePath } from "@kubernaut/policy";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

/**
 * What `npm start` runs, over real HTTP: the shipped example config (Level 1), the local engine and
 * every route group on a loopback port.
 */
describe("the local loop (npm start)", () => {
  let loop: LocalLoop;
  const dir = mkdtempSync(join(tmpdir(), "kubernaut-loop-"));

  beforeAll(async () => {
    writeFileSync(
      join(dir, "kubernaut.config.yaml"),
      `remediationOrchestrator:\n  dryRun: true\naianalysis:\n  rego:\n    policy: ${sourcePath("starter")}\nstorage:\n  tableName: loop-${Date.now()}\ncluster:\n  scenario: ${join(import.meta.dirname, "..", "scenarios", "demo.yaml")}\n`,
    );
    loop = await startLocalLoop({
      cwd: dir,
      dynamoEndpoint: inject("dynamoEndpoint"),
      port: 0,
      env: {},
      timeScale: 0.01,
    });
  });
  afterAll(async () => {
    await loop?.stop();
  });

  it("reports what it loaded: config, policies with hashes, scenario, cluster, kubeconfig, trust level", () => {
    const { startup } = loop;
    expect(startup.configFile).toBe(join(dir, "kubernaut.config.yaml"));
    expect(startup.policies.approval).toMatchObject({
      path: sourcePath("starter"),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(startup.policies.approval.error).toBeUndefined();
    expect(startup.policies.classification.path).toMatch(/classification\/default\.rego$/);
    expect(startup.cluster).toMatchObject({
      source: "simulator",
      server: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      scenario: join(import.meta.dirname, "..", "scenarios", "demo.yaml"),
      kubeconfig: join(dir, ".kubernaut", "kubeconfig"),
    });
    expect(startup.trust.headline).toMatch(/^Level 1 \(observe\): remediationOrchestrator\.dryRun is true/);
    const lines = startupLines(startup, loop.url, dir).join("\n");
    expect(lines).toContain("  config          kubernaut.config.yaml");
    expect(lines).toContain(
      `  approval policy ${sourcePath("starter")}  sha256 ${startup.policies.approval.hash?.slice(0, 12)}`,
    );
    expect(lines).toContain("  kubectl         kubectl --kubeconfig .kubernaut/kubeconfig get deploy -A");
    expect(lines).toContain(`  console         ${loop.url}/console`);
  });

  it.runIf(spawnSync("kubectl", ["version", "--client"]).status === 0)(
    "the kubeconfig it writes lets kubectl see the simulated cluster",
    async () => {
      const { stdout } = await promisify(execFile)(
        "kubectl",
        ["--kubeconfig", loop.startup.cluster.kubeconfig, "get", "deploy", "-A"],
        { encoding: "utf8", timeout: 20_000 },
      );
      expect(stdout).toMatch(/staging\s+recommendations\s+0\/2/);
    },
  );

  it("serves /healthz", async () => {
    const response = await fetch(`${loop.url}/healthz`);
    expect(response.status).toBe(200);
  });

  it("a sample alert creates a remediation whose execution reaches DryRun, visible with its timeline", async () => {
    const posted = await fetch(`${loop.url}/api/v1/signals/prometheus`, {
      method: "POST",
      headers: { authorization: `Bearer ${loop.secrets.webhookToken}`, "content-type": "application/json" },
      // The sample alert npm start prints: a Deployment the demo scenario ships crash-looping.
      body: JSON.stringify(sampleAlert()),
    });
    expect(posted.status).toBe(202);
    const { accepted } = (await posted.json()) as { accepted: Array<{ remediationId: string }> };
    const id = accepted[0]?.remediationId as string;

    let body:
      | { remediation: { phase: string; outcome?: string }; timeline: Array<{ type: string }> }
      | undefined;
    for (let i = 0; i < 200; i++) {
      const response = await fetch(`${loop.url}/api/v1/remediations/${id}`, {
        headers: { authorization: `Bearer ${loop.secrets.adminToken}` },
      });
      body = (await response.json()) as typeof body;
      if (body && isTerminal(body.remediation.phase as never)) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(body?.remediation).toMatchObject({ phase: "Completed", outcome: "DryRun" });
    expect(body?.timeline.map((e) => e.type)).toEqual([
      "RemediationCreated",
      "SignalProcessed",
      "AnalysisCompleted",
      "PhaseChanged",
    ]);
  });

  it("serves MCP to an assistant with the admin token, and natural-language intake answers 501 without a model", async () => {
    const client = new Client({ name: "loop-test", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${loop.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${loop.secrets.adminToken}` } },
      }),
    );
    const result = await client.callTool({ name: "list_remediations", arguments: { limit: 5 } });
    await client.close();
    expect(result.isError).toBeFalsy();
    expect(JSON.parse((result.content as Array<{ text: string }>)[0]?.text ?? "")).toHaveProperty("items");

    const text = await fetch(`${loop.url}/api/v1/signals/text`, {
      method: "POST",
      headers: { authorization: `Bearer ${loop.secrets.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ text: "checkout pods in staging keep restarting" }),
    });
    expect(text.status).toBe(501);
  });

  it("mounts the console, which asks for a sign-in first", async () => {
    const response = await fetch(`${loop.url}/console`, { redirect: "manual" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toMatch(/\/console\/sign-in/);
  });

  it("publishes the A2A agent card pointing at its own /a2a endpoint", async () => {
    const response = await fetch(`${loop.url}/.well-known/agent-card.json`);
    expect(response.status).toBe(200);
    const card = (await response.json()) as { name: string; supportedInterfaces: Array<{ url: string }> };
    expect(card.name).toBe("Kubernaut");
    expect(card.supportedInterfaces.map((i) => i.url)).toContain(`${loop.url}/a2a`);
  });

  it("keeps its generated tokens across restarts", async () => {
    const again = await startLocalLoop({
      cwd: dir,
      dynamoEndpoint: inject("dynamoEndpoint"),
      port: 0,
      env: {},
    });
    try {
      expect(again.secrets).toEqual(loop.secrets);
    } finally {
      await again.stop();
    }
  });
});

describe("npm start with a classification policy that cannot load", () => {
  it("refuses to start, naming the key and why", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kubernaut-loop-"));
    writeFileSync(join(dir, "mine.rego"), "package signalprocessing.environment\n\nresult := {}\n");
    writeFileSync(
      join(dir, "kubernaut.config.yaml"),
      `signalProcessing:\n  classificationPolicy: mine.rego\nstorage:\n  tableName: loop-refused-${Date.now()}\ncluster:\n  scenario: ${join(import.meta.dirname, "..", "scenarios", "demo.yaml")}\n`,
    );
    await expect(
      startLocalLoop({ cwd: dir, dynamoEndpoint: inject("dynamoEndpoint"), port: 0, env: {} }),
    ).rejects.toThrow(
      /^signalProcessing\.classificationPolicy: classification policy .*mine\.rego is unusable: .*declares package signalprocessing\.environment/,
    );
  });
});

describe("GET /metrics on the local loop", () => {
  it("serves Prometheus text including notification metrics", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kubernaut-loop-"));
    writeFileSync(join(dir, "kubernaut.config.yaml"), `storage:\n  tableName: metrics-${Date.now()}\n`);
    const loop = await startLocalLoop({
      cwd: dir,
      dynamoEndpoint: inject("dynamoEndpoint"),
      port: 0,
      env: {},
    });
    try {
      await loop.pipeline.breakers.write(
        "oncall",
        { state: "open", consecutiveFailures: 3, openUntil: Date.now() + 60_000 },
        0,
      );
      const response = await fetch(`${loop.url}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/plain");
      const text = await response.text();
      expect(text).toContain('kubernaut_notification_channel_circuit_breaker_state{channel="oncall"} 1');
      expect(text).toMatch(/^kubernaut_notification_reconciler_active \d+$/m);
      // Earlier tests in this file sent an alert that ended DryRun: the counters saw it.
      expect(text).toMatch(/^kubernaut_gateway_signals_total\{status="created"\} [1-9]\d*$/m);
      expect(text).toMatch(
        /^kubernaut_remediationorchestrator_remediations_completed_total\{outcome="DryRun",phase="Completed"\} [1-9]\d*$/m,
      );
    } finally {
      await loop.stop();
    }
  });
});
