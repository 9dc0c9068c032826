import { randomUUID } from "node:crypto";
import { type Message, Role, type Task, TaskState } from "@a2a-js/sdk";
import {
  type Client,
  ClientFactory,
  ClientFactoryOptions,
  createAuthenticatingFetchWithRetry,
  JsonRpcTransportFactory,
} from "@a2a-js/sdk/client";
import { serve } from "@hono/node-server";
import { type A2aDeps, a2aRoutes, dataPart, textPart } from "@kubernaut/a2a";
import { sha256Hex } from "@kubernaut/config";
import { verifyAuditChain } from "@kubernaut/core";
import { assessDue } from "@kubernaut/effectiveness";
import { OpenAiCompatibleModel } from "@kubernaut/llm";
import { type ScriptStep, startOpenAiStandIn } from "@kubernaut/llm/standin";
import { approvalIdFor } from "@kubernaut/store";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { webhook } from "./support/alerts";
import { badRollout, simulatedCluster } from "./support/cluster";
import { apiRequest, createPipelineHarness, type PipelineHarness } from "./support/pipeline";
import { VIEWER_TOKEN } from "./support/store";

// Issue 13, the A2A half: another agent delegates a problem; its task follows the remediation over the
// SDK's own client, over real HTTP, against the real pipeline on DynamoDB Local and the local engine.

const AGENT_A = "agent-a-token";
const AGENT_B = "agent-b-token";
const CHECKOUT = {
  alertname: "KubePodCrashLooping",
  severity: "critical",
  namespace: "staging",
  deployment: "checkout",
};

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

/** The pipeline with no approval policy (every remediation waits for approval) and a simulated cluster. */
async function start(options: { script?: ScriptStep[] } = {}) {
  const cluster = await simulatedCluster({ images: { "shop/checkout:1.5.0-bad": { crash: true } } });
  closers.push(cluster.close);
  const standIn = options.script ? await startOpenAiStandIn(options.script) : undefined;
  if (standIn) closers.push(standIn.close);
  const h = await createPipelineHarness(
    {
      remediationOrchestrator: { dryRun: false },
      auth: {
        apiTokens: [
          { name: "agent-a", role: "approver", sha256: sha256Hex(AGENT_A) },
          { name: "agent-b", role: "approver", sha256: sha256Hex(AGENT_B) },
        ],
      },
      ...(standIn
        ? {
            aianalysis: {
              llm: { provider: "openai-compatible", baseUrl: standIn.url, model: "stand-in", retries: 0 },
            },
          }
        : {}),
    },
    {
      clusterUrl: cluster.url,
      // Task timeouts with headroom: this suite polls over HTTP while the pipeline runs on a shared machine.
      timeScale: 0.05,
      // Assessments fall due at once, so the test runs the monitor instead of waiting five minutes.
      tune: (config) => Object.assign(config.effectivenessMonitor, { stabilizationWindow: 1 }),
      ...(standIn
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
  const deps: A2aDeps = {
    config: h.config,
    store: h.store,
    starter: h.starter,
    db: h.db,
    intake: { intakes: h.pipeline.intakes, starter: h.pipeline.intakeStarter },
  };
  const monitor = () =>
    assessDue({
      config: () => h.config,
      store: h.store,
      assessments: h.deps.assessments,
      trust: h.deps.trust,
      cluster: { access: () => cluster.access },
    });
  return { h, deps, monitor, url: await listen(h, deps) };
}

/**
 * One server, as the local loop mounts it: the product's app and the A2A routes side by side. Each call
 * builds the A2A routes afresh, so a second call is a cold start that shares no memory with the first.
 */
async function listen(h: PipelineHarness, deps: A2aDeps): Promise<string> {
  const app = new Hono();
  app.route("/", a2aRoutes(deps, h.config.auth.apiTokens));
  app.route("/", h.app);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return `http://127.0.0.1:${address.port}`;
}

/** The SDK's client, discovering the endpoint from the agent card, with a bearer token on every call. */
async function connect(url: string, token?: string): Promise<Client> {
  const fetchImpl = token
    ? createAuthenticatingFetchWithRetry(fetch, {
        headers: async () => ({ authorization: `Bearer ${token}` }),
        shouldRetryWithHeaders: async () => undefined,
      })
    : fetch;
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl })],
    }),
  );
  return factory.createFromUrl(url);
}

function message(...parts: Message["parts"]): Message {
  return {
    messageId: randomUUID(),
    contextId: "",
    taskId: "",
    role: Role.ROLE_USER,
    parts,
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

async function send(client: Client, msg: Message): Promise<Task> {
  const result = await client.sendMessage({
    tenant: "",
    message: msg,
    configuration: undefined,
    metadata: undefined,
  });
  if ("messageId" in result) throw new Error(`expected a task, got a message: ${JSON.stringify(result)}`);
  return result;
}

/** Polls GetTask (which recomputes the task from its remediation) until the task is in `state`. */
async function until(client: Client, id: string, state: TaskState, timeoutMs = 20_000): Promise<Task> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const task = await client.getTask({ tenant: "", id });
    if (task.status?.state === state) return task;
    if (Date.now() > deadline)
      throw new Error(`task ${id} stayed ${TaskState[task.status?.state ?? 0]}: ${statusText(task)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function statusText(task: Task): string {
  const content = task.status?.message?.parts[0]?.content;
  return content?.$case === "text" ? content.value : "";
}

function link(task: Task): { remediationId?: string; intakeId?: string; ingest?: { status: string } } {
  return task.metadata?.kubernaut ?? {};
}

/** An artifact's JSON part, by artifact id. */
function artifact(task: Task, id: string): Record<string, unknown> | undefined {
  const content = task.artifacts
    .find((a) => a.artifactId === id)
    ?.parts.find((p) => p.content?.$case === "data")?.content;
  return content?.$case === "data" ? content.value : undefined;
}

describe("the A2A server", () => {
  it("follows a delegated problem to input-required, joins a second agent onto it, and completes with the RCA, decision and effectiveness", async () => {
    // Prepare
    const { h, deps, monitor, url } = await start();
    const agentA = await connect(url, AGENT_A);
    const agentB = await connect(url, AGENT_B);

    // Act: agent A delegates the crash loop; it waits for approval.
    const sent = await send(
      agentA,
      message(dataPart({ labels: CHECKOUT, annotations: { summary: "checkout crash-loops" } })),
    );
    const remediationId = link(sent).remediationId as string;
    const waiting = await until(agentA, sent.id, TaskState.TASK_STATE_INPUT_REQUIRED);
    // Agent B reports the same workload (just the labels) while A's remediation waits.
    const joined = await send(
      agentB,
      message(dataPart({ ...CHECKOUT, alertname: "KubeDeploymentReplicasMismatch" })),
    );

    // Assess: one remediation, created by A's message and joined by B's.
    expect(remediationId).toMatch(/^rr-/);
    expect([TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING]).toContain(sent.status?.state);
    expect(link(sent)).toMatchObject({ ingest: { status: "created" }, requestedBy: "agent-a" });
    expect(statusText(waiting)).toContain(`POST /api/v1/approvals/${approvalIdFor(remediationId)}/decision`);
    expect(artifact(waiting, "rca")).toMatchObject({
      remediationId,
      workflow: { id: "crashloop-rollback-v1" },
      parameters: { toRevision: 1 },
    });
    expect(artifact(waiting, "decision")).toBeUndefined();
    expect(link(joined)).toMatchObject({ remediationId, ingest: { status: "deduplicated" } });
    expect(joined.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);

    // Act: a cold start (fresh routes, handler and stores on another listener), then the approval.
    const restartedA = await connect(await listen(h, deps), AGENT_A);
    const afterRestart = await restartedA.getTask({ tenant: "", id: sent.id });
    const decided = await apiRequest(
      h,
      "POST",
      `/api/v1/approvals/${approvalIdFor(remediationId)}/decision`,
      {
        decision: "Approved",
        message: "go",
      },
    );
    await h.waitFor(remediationId, (rr) => rr.phase === "Verifying");
    await h.pipeline.engine.idle();
    const verifying = await until(restartedA, sent.id, TaskState.TASK_STATE_WORKING);
    await h.postAlerts(webhook([{ labels: CHECKOUT }], "resolved"));
    await monitor();
    const done = await until(restartedA, sent.id, TaskState.TASK_STATE_COMPLETED);
    const doneForB = await until(agentB, joined.id, TaskState.TASK_STATE_COMPLETED);

    // Assess: the task survived the restart and followed the remediation to its end.
    expect(afterRestart.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    expect(afterRestart.history.map((m) => m.messageId)).toEqual(waiting.history.map((m) => m.messageId));
    expect(decided.status).toBe(200);
    expect(statusText(verifying)).toContain("effectiveness assessment");
    expect(artifact(verifying, "decision")).toMatchObject({
      kind: "approval",
      decision: "Approved",
      decidedBy: "local-admin",
      decidedVia: "api",
      message: "go",
    });
    expect(statusText(done)).toBe(
      "remediated (effectiveness 1.00, health and alert only: no metrics source configured)",
    );
    expect(done.artifacts.map((a) => a.artifactId)).toEqual(["rca", "decision", "effectiveness"]);
    expect(artifact(done, "effectiveness")).toMatchObject({
      score: 1,
      reason: "Full",
      completeness: "health and alert only: no metrics source configured",
      outcome: "Remediated",
      components: { health: 1, alert: 1 },
    });
    expect(doneForB.artifacts).toEqual(done.artifacts);
    // The history reads as the remediation's timeline: the request, then each state the task went through.
    expect(done.history[0]?.role).toBe(Role.ROLE_USER);
    expect(done.history.slice(1).every((m) => m.role === Role.ROLE_AGENT)).toBe(true);
    // Audit: ingest recorded agent A as the creator, and both tasks are on the remediation's chain.
    const timeline = await h.store.timeline(remediationId);
    expect(timeline?.audit[0]).toMatchObject({
      type: "RemediationCreated",
      actor: { type: "service", id: "agent-a", channel: "a2a" },
    });
    const attached = timeline?.audit.filter((event) => event.type === "A2ATaskAttached") ?? [];
    expect(attached.map((event) => [event.actor.id, event.details?.taskId, event.details?.ingest])).toEqual([
      ["agent-a", sent.id, "created"],
      ["agent-b", joined.id, "deduplicated"],
    ]);
    expect(verifyAuditChain(timeline?.audit ?? [])).toEqual({ ok: true });
  });

  it("serves a public agent card that declares bearer tokens; refuses missing tokens, viewers sending, and other callers' tasks", async () => {
    // Prepare
    const { url } = await start();
    const agentA = await connect(url, AGENT_A);
    const viewer = await connect(url, VIEWER_TOKEN);
    const anonymous = await connect(url);

    // Act
    const card = await (await fetch(`${url}/.well-known/agent-card.json`)).json();
    const task = await send(agentA, message(dataPart({ labels: CHECKOUT })));
    const raw = await fetch(`${url}/a2a`, {
      method: "POST",
      headers: { "content-type": "application/json", "a2a-version": "1.0" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "GetTask", params: { id: task.id } }),
    });

    // Assess
    expect(card).toMatchObject({
      name: "Kubernaut",
      supportedInterfaces: [{ url: `${url}/a2a`, protocolBinding: "JSONRPC", protocolVersion: "1.0" }],
      capabilities: { streaming: false, pushNotifications: false },
      securitySchemes: { bearer: { httpAuthSecurityScheme: { scheme: "Bearer" } } },
      securityRequirements: [{ schemes: { bearer: {} } }],
    });
    expect(raw.status).toBe(401);
    expect(raw.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await raw.json()).toMatchObject({ error: { code: "unauthorized" } });
    await expect(send(anonymous, message(dataPart({ labels: CHECKOUT })))).rejects.toThrow(/Status: 401/);
    await expect(send(viewer, message(dataPart({ labels: CHECKOUT })))).rejects.toThrow(
      /Status: 403.*needs approver/,
    );
    // A viewer may read tasks, but only its own: another caller's task does not exist for it.
    await expect(viewer.getTask({ tenant: "", id: task.id })).rejects.toThrow(/not found/i);
    expect((await viewer.listTasks(listAll())).tasks).toEqual([]);
    expect((await agentA.listTasks(listAll())).tasks.map((t) => t.id)).toEqual([task.id]);
  });

  it("answers a description without a model with a rejected task that says what to do", async () => {
    // Prepare
    const { url } = await start();
    const agentA = await connect(url, AGENT_A);

    // Act
    const task = await send(
      agentA,
      message(textPart("checkout pods in staging keep restarting since the deploy")),
    );
    const fetched = await agentA.getTask({ tenant: "", id: task.id });

    // Assess
    expect(task.status?.state).toBe(TaskState.TASK_STATE_REJECTED);
    expect(statusText(task)).toMatch(
      /needs a language model: configure aianalysis\.llm .* or send a structured signal/,
    );
    expect(fetched.status).toEqual(task.status);
  });

  it("turns a description into a signal through the intake and follows the remediation it created", async () => {
    // Prepare: the model names the workload, then investigates and agrees with itself (as in intake.test).
    const { h, url } = await start({
      script: [
        {
          content: JSON.stringify({
            kind: "Deployment",
            namespace: "staging",
            name: "checkout",
            alertName: "KubePodCrashLooping",
            severity: "critical",
            summary: "checkout crash-loops since revision 2",
          }),
        },
        {
          content: JSON.stringify({
            rootCause: "revision 2 crash-loops",
            workflowId: "crashloop-rollback-v1",
            parameters: { toRevision: 1 },
            confidence: 0.9,
            rationale: "every pod of the new revision crash-loops",
          }),
        },
        { content: '{"agree": true, "reason": "the crash started with revision 2"}' },
      ],
    });
    const agentA = await connect(url, AGENT_A);
    const sentence = message(textPart("checkout pods in staging keep restarting since the last deploy"));

    // Act
    const task = await send(agentA, sentence);
    const waiting = await until(agentA, task.id, TaskState.TASK_STATE_INPUT_REQUIRED);
    const resent = await send(agentA, { ...sentence });

    // Assess: the task moved from the intake to the remediation the intake created.
    const intakeId = link(task).intakeId as string;
    expect(intakeId).toMatch(/^in-/);
    expect([TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING]).toContain(task.status?.state);
    const remediationId = link(waiting).remediationId as string;
    expect(link(waiting)).toMatchObject({ intakeId, ingest: { status: "created" } });
    expect(await h.pipeline.intakes.get(intakeId)).toMatchObject({
      state: "Submitted",
      submittedBy: "agent-a",
      ingest: { remediationId },
    });
    expect(artifact(waiting, "rca")).toMatchObject({ rootCause: "revision 2 crash-loops" });
    // The message id is the idempotency key: resending it finds the same intake, not a second one.
    expect(link(resent)).toMatchObject({ intakeId, remediationId });
    const attached = (await h.store.timeline(remediationId))?.audit.filter(
      (e) => e.type === "A2ATaskAttached",
    );
    expect(attached?.map((e) => e.details?.via)).toEqual(["intake", "intake"]);
  });

  it("rejects messages it cannot act on, answers follow-ups with the task as it stands, and never cancels a remediation", async () => {
    // Prepare
    const { url } = await start();
    const agentA = await connect(url, AGENT_A);

    // Act
    const untargeted = await send(agentA, message(dataPart({ alertname: "Watchdog", severity: "none" })));
    const malformed = await send(agentA, message(dataPart({ labels: { alertname: 7 } })));
    const twoSignals = await send(
      agentA,
      message(dataPart({ labels: CHECKOUT }), dataPart({ labels: CHECKOUT })),
    );
    const followed = await send(agentA, message(dataPart({ labels: CHECKOUT })));
    const followUp = {
      ...message(textPart("is there anything I should do?")),
      taskId: followed.id,
      contextId: followed.contextId,
    };
    const answered = await send(agentA, followUp);
    const cancel = agentA.cancelTask({ tenant: "", id: followed.id, metadata: undefined });
    const streaming = await rpc(url, "SendStreamingMessage", {
      message: { messageId: "m", role: "ROLE_USER", parts: [{ text: "x" }] },
    });
    const unversioned = await rpc(url, "GetTask", { id: followed.id }, {});

    // Assess
    expect(untargeted.status?.state).toBe(TaskState.TASK_STATE_REJECTED);
    expect(statusText(untargeted)).toMatch(/^the signal was rejected: /);
    expect(link(untargeted).ingest?.status).toBe("rejected");
    expect(malformed.status?.state).toBe(TaskState.TASK_STATE_REJECTED);
    expect(statusText(malformed)).toMatch(/^invalid signal: labels\.alertname: /);
    expect(statusText(twoSignals)).toContain("one signal per message");
    // A follow-up changes nothing: the same task and remediation, with the question in its history.
    expect(answered.id).toBe(followed.id);
    expect(link(answered).remediationId).toBe(link(followed).remediationId);
    expect(answered.history.map((m) => m.messageId)).toContain(followUp.messageId);
    await expect(cancel).rejects.toThrow(/follows remediation rr-.*reject its approval request/);
    expect(streaming).toMatchObject({ status: 200, body: { error: { code: -32004 } } });
    expect(unversioned).toMatchObject({ status: 200, body: { error: { code: -32009 } } });
  });
});

/** A raw JSON-RPC call with agent A's token (and the A2A-Version header unless `headers` replaces it). */
async function rpc(
  url: string,
  method: string,
  params: unknown,
  headers: Record<string, string> = { "a2a-version": "1.0" },
) {
  const response = await fetch(`${url}/a2a`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${AGENT_A}`, ...headers },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return { status: response.status, body: await response.json() };
}

function listAll() {
  return {
    tenant: "",
    contextId: "",
    status: TaskState.TASK_STATE_UNSPECIFIED,
    pageToken: "",
    statusTimestampAfter: undefined,
  };
}
