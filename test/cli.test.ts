import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "@kubernaut/cli";
import { isTerminal } from "@kubernaut/core";
import { type LocalLoop, sampleAlert, startLocalLoop } from "@kubernaut/local";
import { sourcePath } from "@kubernaut/policy";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";

/**
 * The ladder driven from the `kubernaut` command against what `npm start` runs, over HTTP: the local
 * loop with the starter policy, the demo scenario on the simulator, every route group on a port.
 */
describe("the kubernaut CLI against the local loop", () => {
  let loop: LocalLoop;
  const dir = mkdtempSync(join(tmpdir(), "kubernaut-cli-loop-"));

  beforeAll(async () => {
    writeFileSync(
      join(dir, "kubernaut.config.yaml"),
      [
        "remediationOrchestrator: { dryRun: false }",
        `aianalysis: { rego: { policy: ${sourcePath("starter")} } }`,
        `storage: { tableName: cli-${Date.now()} }`,
        `cluster: { scenario: ${join(import.meta.dirname, "..", "scenarios", "demo.yaml")} }`,
        "",
      ].join("\n"),
    );
    loop = await startLocalLoop({
      cwd: dir,
      dynamoEndpoint: inject("dynamoEndpoint"),
      port: 0,
      env: {},
      timeScale: 0.01,
      simulatorBehaviour: {
        images: { "shop/recommendations:2.4.0-bad": { crash: true, logs: "Error: Cannot find module" } },
        readyAfterMs: 0,
      },
    });
  });
  afterAll(async () => loop?.stop());

  const cli = async (...args: string[]) => {
    const lines: string[] = [];
    const errors: string[] = [];
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      errors.push(String(chunk));
      return true;
    });
    try {
      const code = await main([...args, "--url", loop.url, "--token", loop.secrets.adminToken], (l) =>
        lines.push(l),
      );
      return { code, text: lines.join("\n"), stderr: errors.join("") };
    } finally {
      stderr.mockRestore();
    }
  };
  const alert = async () => {
    const response = await fetch(`${loop.url}/api/v1/signals/prometheus`, {
      method: "POST",
      headers: { authorization: `Bearer ${loop.secrets.webhookToken}`, "content-type": "application/json" },
      body: JSON.stringify(sampleAlert()),
    });
    const { accepted } = (await response.json()) as {
      accepted: Array<{ remediationId: string; status: string }>;
    };
    return accepted[0] as { remediationId: string; status: string };
  };
  const settled = async (id: string) => {
    for (let i = 0; i < 400; i++) {
      const rr = await loop.store.get(id);
      if (rr && (isTerminal(rr.phase) || rr.phase === "Verifying")) return rr;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`${id} did not settle`);
  };

  it("climbs the ladder: observe → release → graduate in staging → pause/resume → the rollback runs", async () => {
    // Everything starts at observe (Level 2, new workflows dry-run), with the starter policy configured.
    const shown = await cli("trust", "show");
    expect(shown.code).toBe(0);
    expect(shown.text).toContain("global dry-run (remediationOrchestrator.dryRun): off");
    expect(shown.text).toContain(`approval policy (aianalysis.rego.policy): ${sourcePath("starter")}`);
    expect(shown.text).toMatch(/^crashloop-rollback-v1 {2}observe: dry run \(Level 2: at observe\)$/m);

    const first = await alert();
    expect(first.status).toBe("created");
    const dry = await settled(first.remediationId);
    expect(dry).toMatchObject({ phase: "Completed", outcome: "DryRun" });

    const list = await cli("remediations", "list");
    expect(list.text).toMatch(
      new RegExp(
        `^${first.remediationId}\\s+\\S+\\s+Completed/DryRun\\s+Deployment staging/recommendations\\s+KubePodCrashLooping\\s+crashloop-rollback-v1\\s+\\(Level 2`,
        "m",
      ),
    );
    const detail = await cli("remediations", "show", first.remediationId);
    expect(detail.code).toBe(0);
    expect(detail.text).toContain("workflow     crashloop-rollback-v1 at confidence");
    expect(detail.text).toMatch(
      /would send {3}PATCH \/apis\/apps\/v1\/namespaces\/staging\/deployments\/recommendations /,
    );
    expect(detail.text).toMatch(/Timeline \(in audit-chain order\):\n +\+0 ms {2}RemediationCreated/);
    expect(detail.text).toContain("audit chain intact (4 events)");

    // The dry-run hold keeps the next alert out until someone releases the fingerprint.
    expect((await alert()).status).toBe("held");
    const released = await cli(
      "fingerprints",
      "release",
      first.remediationId,
      "--reason",
      "reviewed the dry run",
    );
    expect(released).toMatchObject({
      code: 0,
      text: `${dry.fingerprint}: released dryRun hold(s); the next alert starts a remediation`,
    });

    const graduated = await cli(
      "trust",
      "set",
      "crashloop-rollback-v1",
      "automate",
      "--namespace",
      "staging",
      "--reason",
      "dry runs were right",
    );
    expect(graduated).toMatchObject({
      code: 0,
      text: "crashloop-rollback-v1 graduated to automate in staging (was observe)",
    });
    expect((await cli("trust", "show")).text).toContain(
      "    in staging: automate: runs when the policy allows (Level 4: automate)",
    );

    expect(await cli("pause", "--reason", "cluster upgrade")).toMatchObject({
      code: 0,
      text: expect.stringMatching(/^execution PAUSED by local-admin/),
    });
    expect((await cli("trust", "show")).text).toContain("kill switch: PAUSED");
    expect(await cli("resume")).toMatchObject({ code: 0, text: "execution resumed" });

    const second = await alert();
    expect(second.status).toBe("created");
    const ran = await settled(second.remediationId);
    expect(ran.workflowExecution?.summary).toMatch(/rolled back/i);
    expect((await cli("remediations", "show", second.remediationId)).text).toMatch(/policy|auto-approved/);
  });

  it("registers an operator workflow from its YAML file; a refused one is named with its path and reason", async () => {
    const file = join(dir, "scale-and-mark.yaml");
    const workflow = (version: string, second: string) => `
id: cli-scale-and-mark-v1
version: ${version}
actionType: ScaleAndMark
description: { what: scale and mark, whenToUse: a backlog, whenNotToUse: never }
signals: [QueueBacklogHigh]
targetKinds: [Deployment]
parameters: { replicas: { type: integer, description: workers, default: 3 } }
reversible: true
blastRadius: the workers
steps:
  - { name: scale, action: ScaleReplicas, with: { replicas: "{{ parameters.replicas }}" } }
  - ${second}
`;
    writeFileSync(file, workflow("1.0.0", '{ name: flush, job: { image: "ops/tools:1" } }'));
    const refused = await cli("workflows", "register", file, "--reason", "our runbook");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("scale-and-mark.yaml: ");
    expect(refused.stderr).toContain("steps.1.job.timeout: a Job step needs a timeout");

    writeFileSync(file, workflow("1.0.0", '{ name: flush, job: { image: "ops/tools:1", timeout: 5m } }'));
    const registered = await cli("workflows", "register", file, "--reason", "our runbook");
    expect(registered).toMatchObject({ code: 0 });
    expect(registered.text).toMatch(
      /^cli-scale-and-mark-v1 1\.0\.0: registered \(scale → flush\), trust level /,
    );
  });

  it("names the URL it talks to when it fails", async () => {
    // A port nothing listens on: bound, then closed.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const errors: string[] = [];
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      errors.push(String(chunk));
      return true;
    });
    const code = await main(
      ["remediations", "list", "--url", `http://127.0.0.1:${port}`, "--token", "x"],
      () => undefined,
    );
    stderr.mockRestore();
    expect(code).toBe(1);
    expect(errors.join("")).toMatch(
      new RegExp(
        `^kubernaut: cannot reach the Kubernaut API at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): is it running \\(npm start\\)\\? Set --url or KUBERNAUT_URL`,
      ),
    );

    const missing = await cli("remediations", "show", "rr-0000000000-none");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `kubernaut: GET ${loop.url}/api/v1/remediations/rr-0000000000-none: 404 not_found: remediation rr-0000000000-none does not exist\n`,
    );
  });
});
