import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { main } from "@kubernaut/cli";
import { isTerminal } from "@kubernaut/core";
import {
  buildIntakeDefinition,
  createIntakeHandlers,
  intakeBudget,
  localIntakeFunctionArn,
} from "@kubernaut/intake";
import { OpenAiCompatibleModel } from "@kubernaut/llm";
import { type ScriptStep, startOpenAiStandIn } from "@kubernaut/llm/standin";
import { validateDefinition } from "@kubernaut/pipeline/definition";
import { afterEach, describe, expect, it } from "vitest";
import { webhook } from "./support/alerts";
import { badRollout, simulatedCluster } from "./support/cluster";
import { apiRequest, createPipelineHarness } from "./support/pipeline";
import { VIEWER_TOKEN } from "./support/store";

// Issue 10, natural-language intake: a sentence becomes a structured signal through the model (the
// intake state machine on the local engine) and goes through the same ingest logic as an alert.
let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

const TEXT = "checkout pods in staging keep restarting since the last deploy";
const named = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    kind: "Deployment",
    namespace: "staging",
    name: "checkout",
    alertName: "KubePodCrashLooping",
    severity: "critical",
    summary: "checkout crash-loops since revision 2",
    ...overrides,
  });
const rollback = JSON.stringify({
  rootCause: "revision 2 crash-loops",
  workflowId: "crashloop-rollback-v1",
  parameters: { toRevision: 1 },
  confidence: 0.9,
  rationale: "every pod of the new revision crash-loops",
});

/** What the routes answer, loosely: an intake view, an error, or a remediation with its timeline. */
type Body = Record<string, unknown> & {
  intakeId: string;
  state: string;
  remediationId: string;
  failure?: string;
  links: { remediation?: string };
  error: { code: string; message: string };
  timeline: unknown[];
};

type Harness = Awaited<ReturnType<typeof createPipelineHarness>>;

async function start(script: ScriptStep[], options: { llm?: boolean } = {}) {
  const cluster = await simulatedCluster({ images: { "shop/checkout:1.5.0-bad": { crash: true } } });
  const standIn = await startOpenAiStandIn(script);
  closers.push(cluster.close, standIn.close);
  const llm = options.llm ?? true;
  const h = await createPipelineHarness(
    llm
      ? {
          aianalysis: {
            llm: { provider: "openai-compatible", baseUrl: standIn.url, model: "stand-in", retries: 0 },
          },
        }
      : {},
    {
      clusterUrl: cluster.url,
      ...(llm
        ? {
            model: new OpenAiCompatibleModel({
              baseUrl: standIn.url,
              model: "stand-in",
              timeoutMs: 2_000,
              retries: 0,
            }),
          }
        : {}),
    },
  );
  closers.push(() => h.pipeline.close());
  await badRollout(cluster.access, "staging");
  return { h, standIn, cluster };
}

async function submit(h: Harness, body: unknown, headers: Record<string, string> = {}) {
  const response = await h.app.request("/api/v1/signals/text", {
    method: "POST",
    headers: { authorization: "Bearer test-admin-token", "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Body };
}

async function call(h: Harness, method: string, path: string, body?: unknown, token?: string) {
  const response = await apiRequest(h, method, path, body, token);
  return { status: response.status, body: (await response.json()) as Body };
}

async function settled(h: Harness, intakeId: string) {
  for (let i = 0; i < 500; i++) {
    const { body } = await call(h, "GET", `/api/v1/intake/${intakeId}`);
    if (body.state === "Submitted" || body.state === "Failed") return body;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`intake ${intakeId} did not settle`);
}

describe("natural-language intake", () => {
  it("turns a sentence into a signal that dedups with an Alertmanager alert on the same workload", async () => {
    // Arrange: the model looks the workload up, then answers; the remediation then investigates with it.
    const { h, standIn } = await start([
      { toolCalls: [{ name: "list_namespaces", arguments: {} }] },
      { toolCalls: [{ name: "list_workloads", arguments: { namespace: "staging" } }] },
      { content: named() },
      { content: rollback },
      { content: '{"agree": true, "reason": "the crash started with revision 2"}' },
    ]);

    // Act
    const accepted = await submit(h, { text: TEXT });
    const intake = await settled(h, accepted.body.intakeId);
    const [alert] = await h.postAlerts(
      webhook([
        {
          labels: {
            alertname: "KubePodCrashLooping",
            severity: "critical",
            namespace: "staging",
            deployment: "checkout",
          },
        },
      ]),
    );

    // Assess: one remediation, created by the text and joined by the alert.
    expect(accepted).toMatchObject({ status: 202, body: { state: "Received" } });
    expect(accepted.body.intakeId).toMatch(/^in-/);
    expect(intake).toMatchObject({
      state: "Submitted",
      signal: {
        source: "text",
        alertName: "KubePodCrashLooping",
        labels: { namespace: "staging", deployment: "checkout", alertname: "KubePodCrashLooping" },
        annotations: { description: TEXT },
      },
      ingest: { status: "created" },
      usage: { inputTokens: 600 },
    });
    const remediationId = intake.remediationId as string;
    expect(remediationId).toMatch(/^rr-/);
    expect(intake.links.remediation).toBe(`/api/v1/remediations/${remediationId}`);
    expect(alert).toMatchObject({ status: "deduplicated", remediationId });
    // The workload tools' output reached the model fenced as data, and the text itself was fenced too.
    const toolOutput = standIn.requests[2]?.messages.findLast((m) => m.role === "tool")?.content ?? "";
    expect(toolOutput).toMatch(/^<tool-output name="list_workloads" trust="untrusted-data">/);
    expect(toolOutput).toContain('"name":"checkout"');
    expect(standIn.requests[0]?.messages[1]?.content).toContain('<tool-output name="operator-text"');
    // The remediation carries the submitter as the actor of its creation, and goes on like any other.
    const { body: timeline } = await call(h, "GET", `/api/v1/remediations/${remediationId}`);
    expect(timeline.timeline[0]).toMatchObject({
      actor: { type: "user", id: "local-admin", channel: "api" },
    });
    const rr = await h.waitFor(remediationId, (r) => r.phase === "AwaitingApproval" || isTerminal(r.phase));
    expect(rr).toMatchObject({ phase: "AwaitingApproval", signal: { source: "text" } });
  });

  it("the CLI reports a problem in words and follows it to its remediation", async () => {
    // Arrange: the API over real HTTP, as an operator's terminal reaches it.
    const { h } = await start([
      { content: named() },
      { content: rollback },
      { content: '{"agree": true, "reason": "ok"}' },
    ]);
    const server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((resolve) => server.once("listening", resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const lines: string[] = [];
    const cli = (...args: string[]) =>
      main([...args, "--url", `http://127.0.0.1:${port}`, "--token", "test-admin-token"], (l) =>
        lines.push(l),
      );

    // Act
    const code = await cli("report", TEXT, "--wait", "--key", "INC-7");
    const again = await cli("report", TEXT, "--key", "INC-7");

    // Assess: received, then the signal and the remediation it created; a repeat finds the same intake.
    expect(code).toBe(0);
    expect(again).toBe(0);
    const intakeId = lines[0]?.split("  ")[0] ?? "";
    expect(lines[0]).toMatch(/^in-[0-9a-f]{32} {2}Received$/);
    expect(lines.at(-2)).toMatch(
      new RegExp(
        `^${intakeId} {2}Submitted: KubePodCrashLooping on staging/deployment=checkout → rr-\\S+ \\(created\\)$`,
      ),
    );
    expect(lines.at(-1)).toMatch(new RegExp(`^${intakeId} {2}Submitted$`));
    expect((await h.store.list({ limit: 10 })).items).toHaveLength(1);
    const intake = await h.pipeline.intakes.get(intakeId);
    expect(intake?.channel).toBe("cli");
  });

  it("sends a workload that does not exist back to the model, which corrects itself", async () => {
    const { h, standIn } = await start([
      { content: named({ name: "checkout-api" }) },
      { content: named() },
      { content: rollback },
      { content: '{"agree": true, "reason": "ok"}' },
    ]);
    const accepted = await submit(h, { text: TEXT });
    const intake = await settled(h, accepted.body.intakeId);
    expect(intake).toMatchObject({ state: "Submitted", ingest: { status: "created" } });
    const correction = standIn.requests[1]?.messages.at(-1)?.content ?? "";
    expect(correction).toContain("Deployment checkout-api does not exist in namespace staging");
  });

  it.each([
    {
      case: "the model cannot tell which workload is meant",
      script: [{ content: '{"kind": null, "reason": "no workload or namespace is named"}' }],
      failure: /no workload named: no workload or namespace is named/,
      requests: 1,
    },
    {
      case: "the model never answers in the schema",
      script: [{ content: "the checkout service, probably" }],
      failure: /rejected 3 times; last: the answer is not JSON/,
      requests: 3,
    },
    {
      case: "the model is down",
      script: [{ status: 503 }],
      failure: /the model failed/,
      requests: 1,
    },
    {
      case: "the model storms tool calls",
      script: [{ toolCalls: [{ name: "list_namespaces", arguments: {} }] }],
      failure: /tool-call budget \(12\) exhausted|turn budget \(8\) exhausted/,
      requests: 8,
    },
  ] as Array<{ case: string; script: ScriptStep[]; failure: RegExp; requests: number }>)(
    "fails the intake and creates nothing when $case",
    async ({ script, failure, requests }) => {
      const { h, standIn } = await start(script);
      const accepted = await submit(h, { text: TEXT });
      const intake = await settled(h, accepted.body.intakeId);
      expect(intake.state).toBe("Failed");
      expect(intake.failure).toMatch(failure);
      expect(intake.remediationId).toBeNull();
      expect(standIn.requests).toHaveLength(requests);
      expect((await h.store.list({ limit: 10 })).items).toEqual([]);
    },
  );

  it("answers a retried submission with the same Idempotency-Key from the first one", async () => {
    const { h, standIn } = await start([
      { content: named() },
      { content: rollback },
      { content: '{"agree": true, "reason": "ok"}' },
    ]);
    const first = await submit(h, { text: TEXT }, { "idempotency-key": "incident-42" });
    const again = await submit(h, { text: TEXT }, { "idempotency-key": "incident-42" });
    const other = await submit(h, { text: `${TEXT}!` }, { "idempotency-key": "incident-42" });
    expect(first.status).toBe(202);
    expect(again).toMatchObject({ status: 202, body: { intakeId: first.body.intakeId } });
    expect(other).toMatchObject({ status: 409, body: { error: { code: "conflict" } } });
    await settled(h, first.body.intakeId);
    const remediation = await h.waitFor(
      (await settled(h, first.body.intakeId)).remediationId,
      (r) => r.phase === "AwaitingApproval" || isTerminal(r.phase),
    );
    expect(remediation.phase).toBe("AwaitingApproval");
    // Interpreted once: one intake request to the model, then the investigation's two.
    expect(standIn.requests).toHaveLength(3);
  });

  it("interprets once and remediates once when a step is retried after a crash", async () => {
    // Arrange: the intake's tasks by hand, with the write after ingest throttled once (a crash there).
    const { h, standIn } = await start([{ content: named() }]);
    const intakes = h.pipeline.intakes;
    let throttle = 1;
    const flaky = Object.assign(Object.create(intakes), {
      advance: async (...args: Parameters<typeof intakes.advance>) => {
        if (args[1] === "Submitted" && throttle-- > 0)
          throw Object.assign(new Error("Rate exceeded"), { name: "ProvisionedThroughputExceededException" });
        return intakes.advance(...args);
      },
    }) as typeof intakes;
    const handlers = createIntakeHandlers({
      intakes: flaky,
      model: () =>
        new OpenAiCompatibleModel({ baseUrl: standIn.url, model: "stand-in", timeoutMs: 2_000, retries: 0 }),
      budget: () => intakeBudget(),
      ingest: { store: h.store, starter: h.starter, pendingGraceMs: 60_000 },
    });
    const at = new Date().toISOString();
    const intakeId = "in-crash-test";
    await intakes.create({
      id: intakeId,
      text: TEXT,
      submittedBy: "admin",
      state: "Received",
      createdAt: at,
      updatedAt: at,
    });

    // Act: Interpret twice (a retry), Submit fails after ingest, then its retry.
    await handlers["intake-interpret"]({ intakeId });
    expect(await handlers["intake-interpret"]({ intakeId })).toEqual({ state: "Interpreting" });
    await expect(handlers["intake-submit"]({ intakeId })).rejects.toMatchObject({ name: "TransientError" });
    await handlers["intake-submit"]({ intakeId });
    await handlers["intake-submit"]({ intakeId });

    // Assess: one model call, one remediation, recorded as created by this intake.
    expect(standIn.requests).toHaveLength(1);
    const remediations = (await h.store.list({ limit: 10 })).items;
    expect(remediations).toHaveLength(1);
    expect(await intakes.get(intakeId)).toMatchObject({
      state: "Submitted",
      ingest: { status: "created", remediationId: remediations[0]?.id },
    });
  });

  it.each([
    { case: "no text", body: {}, status: 400, message: /^invalid text signal: text: / },
    { case: "too short", body: { text: "broken" }, status: 400, message: /text: describe the problem/ },
    {
      case: "an unknown field",
      body: { text: TEXT, namespace: "staging" },
      status: 400,
      message: /Unrecognized key: "namespace"/,
    },
    { case: "not JSON", body: "{text:", status: 400, message: /body is not valid JSON/ },
    {
      case: "a bad cluster name",
      body: { text: TEXT, cluster: "Prod Cluster" },
      status: 400,
      message: /cluster: a cluster name as configured/,
    },
  ])("refuses $case with a 400 naming the problem, writing nothing", async ({ body, status, message }) => {
    const { h, standIn } = await start([{ content: named() }]);
    const response = await submit(h, body);
    expect(response.status).toBe(status);
    expect(response.body.error.message).toMatch(message);
    expect(standIn.requests).toEqual([]);
    expect(h.pipeline.engine.listExecutions().length).toBe(0);
  });

  it("needs the approver role to submit and a known id to read", async () => {
    const { h } = await start([{ content: named() }]);
    const viewer = await call(h, "POST", "/api/v1/signals/text", { text: TEXT }, VIEWER_TOKEN);
    expect(viewer).toMatchObject({ status: 403, body: { error: { code: "forbidden" } } });
    const missing = await call(h, "GET", "/api/v1/intake/in-nothing-here");
    expect(missing).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
  });

  it("answers 501 naming what to configure when no model is configured", async () => {
    const { h } = await start([], { llm: false });
    const response = await submit(h, { text: TEXT });
    expect(response).toMatchObject({ status: 501, body: { error: { code: "not_implemented" } } });
    expect(response.body.error.message).toContain("configure aianalysis.llm");
  });
});

describe("the intake state machine definition", () => {
  const definition = buildIntakeDefinition({
    functionArn: localIntakeFunctionArn,
    interpretTimeoutSeconds: 180,
  });

  it("is valid JSONPath ASL", () => {
    expect(validateDefinition(definition)).toEqual([]);
    expect(JSON.stringify(definition)).not.toContain("JSONata");
  });

  it("gives every task a timeout and a retry on transient errors, and catches failures of the main path", () => {
    const tasks = Object.entries(definition.States).filter(([, state]) => state.Type === "Task");
    expect(tasks.map(([name]) => name)).toEqual(["Interpret", "Submit", "RecordFailure"]);
    for (const [name, state] of tasks as Array<[string, Record<string, unknown>]>) {
      expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
      expect(JSON.stringify(state.Retry), name).toContain("TransientError");
      if (name !== "RecordFailure") expect(JSON.stringify(state.Catch), name).toContain("RecordFailure");
    }
    expect(definition.States.Interpret.TimeoutSeconds).toBe(180);
  });
});
