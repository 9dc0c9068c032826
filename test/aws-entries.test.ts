import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { isTerminal, type RemediationRequest } from "@kubernaut/core";
import { sourcePath } from "@kubernaut/policy";
import { FUNCTION_NAMES, type FunctionName, HTTP_ROUTES } from "@kubernaut/runtime/functions";
import { createDynamoClient, documentClient } from "@kubernaut/store";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { webhook } from "./support/alerts";
import { REGION } from "./support/aws/iam";
import { ADMIN_TOKEN, startLambdaWorld, WEBHOOK_TOKEN } from "./support/aws/lambda";
import { badRollout, simulatedCluster } from "./support/cluster";

// Issue 17: the AWS composition proven by running it. Every functions/** entry starts with the
// environment its stack sets and the files its stack ships (both from packages/runtime/src/functions.ts),
// reads its secrets from SSM, and is driven through API Gateway, Step Functions (task tokens included),
// EventBridge and the schedule's event shapes. Every AWS call is held to the function's IAM policy.

type World = Awaited<ReturnType<typeof startLambdaWorld>>;
type Cluster = Awaited<ReturnType<typeof simulatedCluster>>;

const kubeconfigFor = (server: string) => `apiVersion: v1
kind: Config
clusters: [{ name: sim, cluster: { server: "${server}", insecure-skip-tls-verify: true } }]
users: [{ name: kubernaut, user: { token: simulator } }]
contexts: [{ name: sim, context: { cluster: sim, user: kubernaut } }]
current-context: sim
`;

const crashLoop = (namespace: string, deployment: string) =>
  webhook([{ labels: { alertname: "KubePodCrashLooping", severity: "critical", namespace, deployment } }]);

/**
 * Every notification goes to the log, which the notifying function delivers itself, and to a webhook
 * that never answers, which it cannot: the notify machine then retries and dead-letters it. So each
 * notifying function exercises both its own delivery and the StartExecution of the retry path, and
 * reads the webhook's signing secret from SSM.
 */
const NOTIFICATION = {
  receivers: [
    { name: "log", type: "log" },
    { name: "pager", type: "webhook", url: "http://127.0.0.1:1/unreachable" },
  ],
  route: {
    receiver: "log",
    routes: [
      { match: {}, receiver: "log", continue: true },
      { match: {}, receiver: "pager" },
    ],
  },
};

/** Grants the suite cannot exercise, with why; anything else granted and never used is flagged. */
const UNEXERCISED: Partial<Record<FunctionName, Record<string, string>>> = {
  "task-enrich": {
    "dynamodb:Query": "a pod-only alert retargeted to its verified owner reads the owner's fingerprint",
  },
  "notify-deliver": {
    "dynamodb:PutItem": "a channel's circuit breaker changes state (its item is put, versioned)",
  },
  approvals: { "states:SendTaskFailure": "a rejection resumes the execution with ApprovalRejected" },
  "task-execute": {
    "states:StartExecution": "an oscillation escalation (the same target remediated too often)",
  },
  schedule: {
    "states:SendTaskSuccess":
      "the outbox re-sends an approval whose delivery failed after the decision write",
    "states:SendTaskFailure":
      "the outbox re-sends a rejection whose delivery failed after the decision write",
  },
};

async function remediation(world: World, id: string): Promise<RemediationRequest> {
  const { status, json } = await world.http("api", "GET", `/api/v1/remediations/${id}`, {
    token: ADMIN_TOKEN,
  });
  expect(status).toBe(200);
  return (json as { remediation: RemediationRequest }).remediation;
}

async function waitFor(
  world: World,
  id: string,
  done: (rr: RemediationRequest) => boolean,
  timeoutMs = 20_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rr = await remediation(world, id);
    if (done(rr)) return rr;
    if (Date.now() > deadline) throw new Error(`remediation ${id} stayed ${rr.phase} (${rr.reason ?? ""})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function alert(world: World, body: unknown): Promise<string> {
  const { status, json } = await world.http("ingest", "POST", "/api/v1/signals/prometheus", {
    token: WEBHOOK_TOKEN,
    body,
  });
  expect(status).toBe(202);
  const [answer] = (json as { accepted: Array<{ status: string; remediationId: string }> }).accepted;
  expect(answer?.status).toBe("created");
  return answer?.remediationId as string;
}

/** The stabilization window (30 s at least) passes: the assessment is due now. */
async function makeDue(world: World, id: string) {
  const db = documentClient(createDynamoClient({ region: REGION, endpoint: inject("dynamoEndpoint") }));
  const dueAt = new Date(Date.now() - 1_000).toISOString();
  await db.send(
    new UpdateCommand({
      TableName: world.table,
      Key: { pk: `RR#${id}`, sk: "ASSESSMENT" },
      UpdateExpression: "SET dueAt = :due, gsi3sk = :sk",
      ConditionExpression: "attribute_exists(gsi3pk)",
      ExpressionAttributeValues: { ":due": dueAt, ":sk": `${dueAt}#${id}` },
    }),
  );
}

/** Every call each function made is allowed by its policy; grants nobody used are flagged. */
function expectLeastPrivilege(world: World, exercised: readonly FunctionName[]) {
  expect(world.recorder.calls.length).toBeGreaterThan(0);
  expect(
    world.recorder.denied(world.policyOf).map((c) => `${c.fn}: ${c.action} on ${c.resource}`),
    "calls the stack's policy does not allow",
  ).toEqual([]);
  for (const fn of exercised) {
    const unused = world.recorder
      .unused(fn, world.policyOf(fn))
      .filter((action) => !(action in (UNEXERCISED[fn] ?? {})));
    expect(unused, `${fn}: granted but never used`).toEqual([]);
  }
}

describe("the AWS entries at Level 1 (observe)", () => {
  let cluster: Cluster;
  let world: World;
  beforeAll(async () => {
    cluster = await simulatedCluster({
      images: { "shop/checkout:1.5.0-bad": { crash: true, logs: "panic: nil pointer dereference" } },
    });
    world = await startLambdaWorld({
      dynamoEndpoint: inject("dynamoEndpoint"),
      kubeconfig: kubeconfigFor(cluster.url),
      config: { remediationOrchestrator: { dryRun: true }, notification: NOTIFICATION },
      timeScale: 0.01,
    });
  }, 120_000);
  afterAll(async () => {
    await world?.close();
    await cluster?.close();
  });

  it("every function starts with only what its stack gives it", () => {
    expect(Object.keys(world.entries).sort()).toEqual([...FUNCTION_NAMES].sort());
    // Secrets came from SSM, by the names the table gives.
    expect(world.ssm.reads).toEqual(
      expect.arrayContaining(["/kubernaut/test/webhook-token", "/kubernaut/test/api-tokens"]),
    );
    // The enrich function carries the compiled classification policy, not Rego it could not compile.
    expect(world.environments["task-enrich"]).toMatchObject({ KUBERNAUT_CONFIG: "kubernaut.config.yaml" });
  });

  it("an alert ends DryRun through the webhook, the tasks and the notify machine; releasing its hold deletes it", async () => {
    await badRollout(cluster.access, "staging");
    const id = await alert(world, crashLoop("staging", "checkout"));
    const rr = await waitFor(world, id, (r) => isTerminal(r.phase));
    expect(rr).toMatchObject({ phase: "Completed", outcome: "DryRun" });
    expect(rr.enrichment?.degraded).toBeUndefined();
    expect(rr.analysis?.workflowId).toBeDefined();
    // The dry run's notification went through the notify machine's deliver function.
    expect(world.recorder.calls.some((c) => c.fn === "notify-deliver")).toBe(true);
    // The alert resolves: ingest marks the remediation (a read of the remediation, then its update).
    const resolved = await world.http("ingest", "POST", "/api/v1/signals/prometheus", {
      token: WEBHOOK_TOKEN,
      body: webhook(
        [
          {
            labels: {
              alertname: "KubePodCrashLooping",
              severity: "critical",
              namespace: "staging",
              deployment: "checkout",
            },
            status: "resolved",
          },
        ],
        "resolved",
      ),
    });
    expect((resolved.json as { accepted: Array<{ status: string }> }).accepted[0]?.status).toBe("resolved");
    // The fingerprint is held; the API function releases it (the one function that deletes).
    const { status } = await world.http("api", "POST", `/api/v1/fingerprints/${rr.fingerprint}/release`, {
      token: ADMIN_TOKEN,
      body: { reason: "reviewed the dry run" },
    });
    expect(status).toBe(200);
  });

  it("every route API Gateway sends to a function is one its app serves", async () => {
    const concrete = (route: string) =>
      route
        .replace("{proxy+}", "approvals")
        .replace(/\{[^}]+\}/g, "x0")
        .replace(/^ANY /, "POST ");
    for (const [route, fn] of HTTP_ROUTES) {
      const [method, path] = concrete(route).split(" ") as [string, string];
      const { status, json } = await world.http(fn, method, path, { token: ADMIN_TOKEN });
      const message = (json as { error?: { message?: string } } | undefined)?.error?.message ?? "";
      expect(`${route} → ${fn}: ${status} ${message}`).not.toMatch(/no route for/);
      // A refusal of the empty request is fine (400/401/404 naming the object, 501 without a model).
      expect([500, 502, 503], `${route} → ${fn}`).not.toContain(status);
    }
  });

  it("holds every call to the function's IAM policy", () => {
    expectLeastPrivilege(world, ["ingest", "task-enrich", "task-analyze", "task-finish", "notify-deliver"]);
  });
});

describe("the AWS entries at Level 4 (automate) and Level 3 (approve)", () => {
  let cluster: Cluster;
  let world: World;
  beforeAll(async () => {
    // A fresh set of containers for a new config, as a deploy would start them.
    vi.resetModules();
    cluster = await simulatedCluster({
      images: {
        "shop/checkout:1.5.0-bad": { crash: true, logs: "panic: nil pointer dereference" },
      },
    });
    world = await startLambdaWorld({
      dynamoEndpoint: inject("dynamoEndpoint"),
      kubeconfig: kubeconfigFor(cluster.url),
      config: {
        remediationOrchestrator: { dryRun: false, newWorkflowsDryRun: false },
        aianalysis: { rego: { policy: sourcePath("starter"), confidenceThreshold: 0.6 } },
        effectivenessMonitor: { stabilizationWindow: "30s" },
        notification: NOTIFICATION,
      },
      timeScale: 0.01,
    });
  }, 120_000);
  afterAll(async () => {
    await world?.close();
    await cluster?.close();
  });

  it("staging: the policy auto-approves, the execute function rolls back, the schedule completes it", async () => {
    await badRollout(cluster.access, "staging");
    const id = await alert(world, crashLoop("staging", "checkout"));
    const verifying = await waitFor(world, id, (r) => r.phase === "Verifying" || isTerminal(r.phase));
    expect(verifying).toMatchObject({ phase: "Verifying" });
    expect(verifying.policyDecision).toMatchObject({ requireApproval: false, degraded: false });

    await makeDue(world, id);
    const scheduled = (await world.invoke("schedule", {
      version: "0",
      source: "aws.scheduler",
      "detail-type": "Scheduled Event",
      detail: {},
    })) as { assessments: { processed: number } };
    expect(scheduled.assessments.processed).toBe(1);
    const done = await waitFor(world, id, (r) => isTerminal(r.phase));
    expect(done).toMatchObject({ phase: "Completed" });
    // The schedule announced the ending: its Completion notification went out through the notify machine.
    expect(
      world.recorder.calls.some((c) => c.fn === "schedule" && c.action === "states:StartExecution"),
    ).toBe(true);
  });

  it("production: the request-approval task holds a token; a decision through the approvals function resumes it", async () => {
    await badRollout(cluster.access, "production");
    const id = await alert(world, crashLoop("production", "checkout"));
    await waitFor(world, id, (r) => r.phase === "AwaitingApproval" || isTerminal(r.phase));
    const { json } = await world.http("approvals", "GET", "/api/v1/approvals?decision=pending", {
      token: ADMIN_TOKEN,
    });
    const pending = (json as { items: Array<{ id: string; remediationId: string }> }).items.find(
      (a) => a.remediationId === id,
    );
    expect(pending).toBeDefined();
    const decided = await world.http("approvals", "POST", `/api/v1/approvals/${pending?.id}/decision`, {
      token: ADMIN_TOKEN,
      body: { decision: "Approved", message: "go" },
    });
    expect(decided.status).toBe(200);
    const rr = await waitFor(world, id, (r) => r.phase === "Verifying" || isTerminal(r.phase));
    expect(rr.phase).toBe("Verifying");
  });

  it("an execution that closes early ends its remediation through the execution-closed function", async () => {
    // A second production workload with a bad rollout: it waits for approval while its execution dies.
    cluster.simulator.apply({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "payments", namespace: "production", labels: { app: "payments" } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "payments" } },
        template: {
          metadata: { labels: { app: "payments" } },
          spec: { containers: [{ name: "app", image: "shop/checkout:1.4.2" }] },
        },
      },
    });
    await badRollout(cluster.access, "production", "shop/checkout:1.5.0-bad", "payments");
    const id = await alert(world, crashLoop("production", "payments"));
    expect(
      (await waitFor(world, id, (r) => r.phase === "AwaitingApproval" || isTerminal(r.phase))).phase,
    ).toBe("AwaitingApproval");
    const execution = world.engine.listExecutions().find((e) => e.name === id || e.name.includes(id));
    expect(execution).toBeDefined();
    execution?.abort();
    const rr = await waitFor(world, id, (r) => isTerminal(r.phase));
    // A stopped execution cancels its remediation (a timeout would be TimedOut, a failure Failed).
    expect(rr).toMatchObject({
      phase: "Cancelled",
      reason: expect.stringMatching(/^execution ABORTED/),
      failurePhase: "AwaitingApproval",
    });
    expect(world.executionClosed.map((e) => e.status)).toContain("ABORTED");
  });

  it("holds every call to the function's IAM policy", () => {
    expectLeastPrivilege(world, [
      "task-evaluate-policy",
      "task-execute",
      "task-check-rollout",
      "task-record-outcome",
      "approvals",
      "schedule",
      "execution-closed",
      "task-request-approval",
    ]);
  });
});

describe("a Lambda runtime's environment", () => {
  it("reads the LLM key from SSM, never from the plain environment, and refuses to start without what its table entry declares", async () => {
    const { lambdaRuntime, MissingEnvironmentError } = await import("@kubernaut/runtime/lambda");
    const { model } = await import("@kubernaut/runtime");
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const { startSsmStandIn } = await import("@kubernaut/runtime/standin");
    const root = mkdtempSync(join(tmpdir(), "kubernaut-llm-"));
    writeFileSync(
      join(root, "kubernaut.config.yaml"),
      "aianalysis:\n  llm: { provider: openai-compatible, baseUrl: http://127.0.0.1:9/v1, model: m, apiKeyEnv: OPENAI_API_KEY }\n",
    );
    const ssm = await startSsmStandIn({ "/kubernaut/test/llm-api-key": "sk-from-ssm" });
    // The SDK reads the function's credentials and endpoints from the process, as on Lambda.
    vi.stubEnv("AWS_ENDPOINT_URL_SSM", ssm.endpoint);
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
    try {
      const env = {
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        LAMBDA_TASK_ROOT: root,
        KUBERNAUT_TABLE: "kubernaut-test",
        KUBERNAUT_CONFIG: "kubernaut.config.yaml",
        POWERTOOLS_SERVICE_NAME: "kubernaut-task-analyze",
        OPENAI_API_KEY_PARAM: "/kubernaut/test/llm-api-key",
      };
      const rt = await lambdaRuntime("task-analyze", env);
      expect(rt.adapters.env.OPENAI_API_KEY).toBe("sk-from-ssm");
      expect(model(rt)("investigation")).toBeDefined();
      expect(ssm.reads).toEqual(["/kubernaut/test/llm-api-key"]);
      // A key in the function's plain environment is not what the runtime reads.
      const plain = await lambdaRuntime("task-analyze", {
        ...env,
        OPENAI_API_KEY_PARAM: "",
        OPENAI_API_KEY: "sk-plain",
      });
      expect(plain.adapters.env.OPENAI_API_KEY).toBeUndefined();
      // A function whose stack forgot a variable does not start, and says which.
      await expect(lambdaRuntime("ingest", env)).rejects.toThrow(MissingEnvironmentError);
      await expect(lambdaRuntime("ingest", env)).rejects.toThrow(
        /function ingest cannot start: KUBERNAUT_STATE_MACHINE_ARN, KUBERNAUT_INTAKE_STATE_MACHINE_ARN, KUBERNAUT_WEBHOOK_TOKEN_PARAM, KUBERNAUT_API_TOKENS_PARAM are not set/,
      );
    } finally {
      vi.unstubAllEnvs();
      await ssm.close();
    }
  });
});
