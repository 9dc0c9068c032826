import { CATALOG } from "@kubernaut/workflows";
import { afterEach, describe, expect, it } from "vitest";
import { ModelError } from "./chat";
import { runInvestigation } from "./loop";
import { OpenAiCompatibleModel } from "./openai";
import { type ScriptStep, startOpenAiStandIn } from "./standin/openai";

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers) await close();
  closers = [];
});

async function modelWith(script: ScriptStep[], options: { timeoutMs?: number; retries?: number } = {}) {
  const standIn = await startOpenAiStandIn(script);
  closers.push(standIn.close);
  const model = new OpenAiCompatibleModel({
    baseUrl: standIn.url,
    apiKey: "test-key",
    model: "stand-in",
    timeoutMs: options.timeoutMs ?? 2_000,
    retries: options.retries ?? 2,
    backoffMs: 1,
  });
  return { model, standIn };
}

const answer = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    rootCause: "revision 2 crashes on start",
    workflowId: "crashloop-rollback-v1",
    parameters: { toRevision: 1 },
    confidence: 0.9,
    rationale: "every new pod crash-loops",
    ...over,
  });
const ask = [{ role: "user" as const, content: "investigate" }];

describe("OpenAI-compatible model over HTTP (stand-in)", () => {
  it("speaks the wire format: tools out, tool calls and usage back", async () => {
    const { model, standIn } = await modelWith([
      { toolCalls: [{ name: "get_events", arguments: { kind: "Deployment" } }] },
    ]);
    const reply = await model.chat(ask, [
      { name: "get_events", description: "events", parameters: { type: "object" } },
    ]);
    expect(reply.toolCalls).toEqual([
      { id: "call_1", name: "get_events", arguments: '{"kind":"Deployment"}' },
    ]);
    expect(reply.usage).toEqual({ inputTokens: 100, outputTokens: 20 });
    expect(standIn.requests[0]?.tools).toEqual([
      {
        type: "function",
        function: { name: "get_events", description: "events", parameters: { type: "object" } },
      },
    ]);
  });

  it("retries a 429 and a 500, then answers", async () => {
    const { model, standIn } = await modelWith([
      { status: 429, retryAfter: 0 },
      { status: 500 },
      { content: "fine" },
    ]);
    expect((await model.chat(ask)).content).toBe("fine");
    expect(standIn.requests).toHaveLength(3);
  });

  it("a model that does not answer in time is a ModelTimeout after its retries", async () => {
    const { model, standIn } = await modelWith([{ delayMs: 1_000, after: { content: "late" } }], {
      timeoutMs: 50,
      retries: 1,
    });
    const error = await model.chat(ask).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ code: "ModelTimeout" });
    expect(standIn.requests).toHaveLength(2);
  });

  it("a 4xx is refused at once, not retried", async () => {
    const { model, standIn } = await modelWith([{ status: 400 }]);
    await expect(model.chat(ask)).rejects.toMatchObject({ code: "ModelRefused" });
    expect(standIn.requests).toHaveLength(1);
  });
});

// The correction loop of runInvestigation, with no tools: answers only.
const propose = async (model: OpenAiCompatibleModel) => {
  const outcome = await runInvestigation(
    model,
    { system: "answer with JSON", task: "investigate" },
    [],
    CATALOG,
    {
      maxTurns: 8,
      maxToolCalls: 8,
      maxTokens: 100_000,
      maxMs: 10_000,
      outputLimit: 4_000,
      corrections: 3,
    },
  );
  return { ...outcome, attempts: outcome.turns };
};

describe("self-correction", () => {
  it("feeds each validation problem back until the answer passes", async () => {
    const { model, standIn } = await modelWith([
      { content: "roll it back please" },
      { content: answer({ workflowId: "nuke-cluster-v1" }) },
      { content: answer() },
    ]);
    const outcome = await propose(model);
    expect(outcome.attempts).toBe(3);
    expect(outcome.result).toMatchObject({ ok: true, proposal: { workflowId: "crashloop-rollback-v1" } });
    expect(outcome.usage).toMatchObject({ inputTokens: 600, outputTokens: 60 });
    // The model saw why each answer was rejected.
    const last = standIn.requests[2]?.messages ?? [];
    expect(last.map((m) => m.content).filter((c) => c?.startsWith("Your answer was rejected"))).toEqual([
      expect.stringMatching(/not JSON/),
      expect.stringMatching(/nuke-cluster-v1 is not in the catalog/),
    ]);
  });

  it("gives up after three bad answers with the last problem as the reason", async () => {
    const { model } = await modelWith([
      { content: answer({ workflowId: "scale-replicas-v1", parameters: { replicas: 0 } }) },
    ]);
    const outcome = await propose(model);
    expect(outcome.result).toEqual({
      ok: false,
      problem: expect.stringMatching(/^rejected 3 times; last: parameters of scale-replicas-v1: replicas/),
    });
  });
});
