import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { assessDue } from "@kubernaut/effectiveness";
import { logger } from "@kubernaut/telemetry";
import { startLocalLoop } from "./loop";

const ROOT = resolve(import.meta.dirname, "..", "..", "..");

/**
 * `npm run demo`: the seed's adoption path on the simulator, through the real HTTP API — observe
 * (dry run), approve (starter policy, approvals through the API), graduate one workflow from the report,
 * automate it, and roll back to approval by changing the policy. Time is fast-forwarded for the
 * effectiveness monitor (its stabilization window is minutes); everything else runs as it would.
 */
export async function runDemo(
  options: { log?: (line: string) => void; dynamoEndpoint?: string } = {},
): Promise<void> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  // The demo prints its own story; the product's JSON logs would drown it.
  logger.setLogLevel("WARN");
  const dir = mkdtempSync(join(tmpdir(), "kubernaut-demo-"));
  const configPath = join(dir, "kubernaut.config.yaml");
  const writeConfig = (level: { dryRun: boolean; policy: string }) =>
    writeFileSync(
      configPath,
      [
        "remediationOrchestrator:",
        `  dryRun: ${level.dryRun}`,
        "  newWorkflowsDryRun: false",
        "  routing: { recentlyRemediatedCooldown: 0s }",
        "aianalysis:",
        `  rego: { policy: ${join(ROOT, "packages/policy/policies/approval", `${level.policy}.rego`)} }`,
        "graduation: { minAssessed: 2, minApprovalsInRow: 2 }",
        `cluster: { scenario: ${join(ROOT, "scenarios/demo.yaml")} }`,
        "",
      ].join("\n"),
    );
  writeConfig({ dryRun: true, policy: "starter" });
  const loop = await startLocalLoop({
    cwd: dir,
    port: 0,
    env: {},
    // Each "bad deploy" ships a new broken image, as real ones do (the same one again and again would
    // rightly trip the ineffective-chain guard).
    simulatorBehaviour: {
      images: Object.fromEntries(
        Array.from({ length: 10 }, (_, i) => [
          `shop/checkout:1.5.${i}-bad`,
          { crash: true, logs: "panic: nil pointer dereference" },
        ]),
      ),
      readyAfterMs: 0,
    },
    timeScale: 0.05,
    ...(options.dynamoEndpoint ? { dynamoEndpoint: options.dynamoEndpoint } : {}),
  });
  const api = async (method: string, path: string, body?: unknown, token = loop.secrets.adminToken) => {
    const response = await fetch(`${loop.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  let release = 0;
  const badDeploy = (namespace: string) =>
    loop.clusterAccess.patch(
      { kind: "Deployment", name: "checkout", namespace },
      {
        strategy: "strategic",
        body: {
          spec: {
            template: {
              spec: { containers: [{ name: "app", image: `shop/checkout:1.5.${release++ % 10}-bad` }] },
            },
          },
        },
      },
    );
  const alert = async (namespace: string, status: "firing" | "resolved" = "firing") => {
    const body = {
      version: "4",
      status,
      receiver: "kubernaut",
      alerts: [
        {
          status,
          labels: {
            alertname: "KubePodCrashLooping",
            severity: "critical",
            namespace,
            deployment: "checkout",
          },
          startsAt: new Date().toISOString(),
        },
      ],
    };
    const json = await api("POST", "/api/v1/signals/prometheus", body, loop.secrets.webhookToken);
    return (json.accepted as Array<{ remediationId: string; status: string }>)[0];
  };
  const until = async (id: string, phases: string[]) => {
    for (let i = 0; i < 400; i++) {
      const { remediation } = (await api("GET", `/api/v1/remediations/${id}`)) as {
        remediation: Record<string, unknown>;
      };
      if (phases.includes(String(remediation.phase))) return remediation;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`${id} did not reach ${phases.join("/")}`);
  };
  const fastForward = async (minutes: number) => {
    await loop.pipeline.engine.idle();
    const run = await assessDue({
      config: loop.config,
      store: loop.store,
      assessments: loop.assessments,
      trust: loop.trust,
      cluster: { access: () => loop.clusterAccess },
      now: () => new Date(Date.now() + minutes * 60_000),
    });
    return run.processed.length;
  };
  const remediateOnce = async (namespace: string, approve: boolean) => {
    await badDeploy(namespace);
    const created = await alert(namespace);
    if (created?.status !== "created")
      throw new Error(`expected a new remediation, got ${JSON.stringify(created)}`);
    const rr = await until(created.remediationId, [
      "AwaitingApproval",
      "Verifying",
      "Completed",
      "Failed",
      "Blocked",
    ]);
    if (rr.phase === "AwaitingApproval" && approve) {
      await api("POST", `/api/v1/approvals/${rr.approvalRequestId}/decision`, {
        decision: "Approved",
        message: "looks right",
      });
      await until(created.remediationId, ["Verifying", "Failed"]);
    }
    return { id: created.remediationId, phase: String(rr.phase), rr };
  };

  try {
    log(`Kubernaut demo — the trust ladder on the simulated cluster (${loop.url})`);
    log("");
    log("1. Observe (Level 1: remediationOrchestrator.dryRun: true)");
    await badDeploy("staging");
    const observed = await alert("staging");
    const dry = await until(observed?.remediationId as string, ["Completed"]);
    const would = dry.wouldHaveDone as { workflowId: string; parameters: unknown };
    log(
      `   checkout in staging crash-loops after a bad deploy → ${dry.outcome}: would run ${would.workflowId} ${JSON.stringify(would.parameters)}`,
    );
    log(`   reason: ${dry.reason}`);
    await api("POST", `/api/v1/fingerprints/${dry.fingerprint}/release`, { reason: "reviewed the dry run" });

    log("");
    log("2. Approve (Level 3: dryRun off, the starter policy)");
    writeConfig({ dryRun: false, policy: "starter" });
    for (let round = 1; round <= 2; round++) {
      const { id, rr } = await remediateOnce("production", true);
      const policy = rr.policyDecision as { reason: string } | undefined;
      await alert("production", "resolved");
      await fastForward(10);
      const { remediation } = (await api("GET", `/api/v1/remediations/${id}`)) as {
        remediation: Record<string, unknown>;
      };
      // The completion's reason is the effectiveness in words ("effectiveness 1.00, health and alert only: …").
      log(
        `   round ${round}: production needed approval (${policy?.reason}); approved via the API → ${remediation.outcome}, ${remediation.reason}`,
      );
    }

    log("");
    log("3. Graduate (the report recommends, an admin acts)");
    const report = (await api("GET", "/api/v1/graduation")) as { items: Array<Record<string, unknown>> };
    const row = report.items.find(
      (r) => r.workflowId === "crashloop-rollback-v1" && r.namespace === "production",
    );
    log(
      `   crashloop-rollback-v1 in production: ${row?.level} → ${row?.recommendation} to ${row?.recommendedLevel}`,
    );
    for (const line of (row?.evidence as string[] | undefined) ?? []) log(`     ${line}`);
    const action = row?.action as { path: string; body: unknown } | undefined;
    if (!action) throw new Error("the report did not recommend graduating crashloop-rollback-v1");
    await api("PATCH", action.path, action.body);

    log("");
    log("4. Automate (Level 4: the policy auto-approves a workflow graduated to automate)");
    const automated = await remediateOnce("production", false);
    log(
      `   production crash loop → ${automated.phase} without approval: ${(automated.rr.policyDecision as { reason: string }).reason}`,
    );
    await alert("production", "resolved");
    await fastForward(10);

    log("");
    log("5. Back to approval by changing the policy (strict.rego), no restart");
    writeConfig({ dryRun: false, policy: "strict" });
    const strict = await remediateOnce("production", false);
    log(
      `   production crash loop → ${strict.phase}: ${(strict.rr.policyDecision as { reason: string }).reason}`,
    );
    await api("POST", `/api/v1/approvals/${strict.rr.approvalRequestId}/decision`, {
      decision: "Rejected",
      message: "demo over",
    });
    log("");
    log("Done: observe → approve → graduate → automate → back to approve.");
  } finally {
    await loop.stop();
  }
}

/** The demo's config for reference in the README. */
export function demoScenario(): string {
  return readFileSync(join(ROOT, "scenarios/demo.yaml"), "utf8");
}
