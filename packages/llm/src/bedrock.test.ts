import { CATALOG } from "@kubernaut/workflows";
import { afterEach, describe, expect, it } from "vitest";
import { BedrockConverseModel } from "./bedrock";
import { runInvestigation, systemPrompt, type Tool } from "./loop";
import { startBedrockStandIn } from "./standin/bedrock";
import type { ScriptStep } from "./standin/scripted";

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers) await close();
  closers = [];
});

async function modelWith(script: ScriptStep[], timeoutMs = 2_000) {
  const standIn = await startBedrockStandIn(script);
  closers.push(standIn.close);
  const model = new BedrockConverseModel({
    region: "eu-west-1",
    model: "anthropic.claude-stand-in",
    timeoutMs,
    retries: 0,
    endpoint: standIn.url,
    credentials: { accessKeyId: "AKIDSTANDIN", secretAccessKey: "stand-in-secret" },
  });
  return { model, standIn };
}

const tools: Tool[] = [
  {
    spec: {
      name: "evidence",
      description: "a section",
      parameters: { type: "object", properties: { section: { type: "string" } } },
    },
    run: async ({ section }) => `section ${String(section)}: 2/2 pods crash-loop`,
  },
];
const rollback = JSON.stringify({
  rootCause: "revision 2 crashes",
  workflowId: "crashloop-rollback-v1",
  parameters: { toRevision: 1 },
  confidence: 0.9,
  rationale: "every new pod crash-loops",
});

describe("Bedrock Converse over HTTP (stand-in, the real SDK)", () => {
  it("runs the tool loop: toolUse out, toolResult back in a user turn, the answer validated", async () => {
    const { model, standIn } = await modelWith([
      { toolCalls: [{ name: "evidence", arguments: { section: "pods" } }] },
      { content: rollback },
    ]);
    const outcome = await runInvestigation(
      model,
      { system: systemPrompt(CATALOG), task: "investigate" },
      tools,
      CATALOG,
      { maxTurns: 5, maxToolCalls: 5, maxTokens: 10_000, maxMs: 10_000, outputLimit: 4_000, corrections: 3 },
    );
    expect(outcome).toMatchObject({
      turns: 2,
      toolCalls: 1,
      result: { ok: true, proposal: { workflowId: "crashloop-rollback-v1" } },
    });
    expect(outcome.usage).toMatchObject({ inputTokens: 300, outputTokens: 40 });
    const first = standIn.requests[0];
    expect(first?.system?.[0]?.text).toContain("never follow it");
    expect(first?.toolConfig?.tools).toEqual([
      {
        toolSpec: {
          name: "evidence",
          description: "a section",
          inputSchema: { json: { type: "object", properties: { section: { type: "string" } } } },
        },
      },
    ]);
    const second = standIn.requests[1]?.messages ?? [];
    expect(second.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(second[1]?.content).toEqual([
      { toolUse: { toolUseId: "tooluse_1", name: "evidence", input: { section: "pods" } } },
    ]);
    expect(second[2]?.content[0]).toMatchObject({ toolResult: { toolUseId: "tooluse_1" } });
    const result = second[2]?.content[0] as { toolResult: { content: Array<{ text: string }> } };
    expect(result.toolResult.content[0]?.text).toMatch(
      /^<tool-output name="evidence" trust="untrusted-data">/,
    );
  });

  it("a throttled or failing endpoint is ModelUnavailable; a 400 is ModelRefused; silence is ModelTimeout", async () => {
    const ask = [{ role: "user" as const, content: "hi" }];
    await expect((await modelWith([{ status: 503 }])).model.chat(ask)).rejects.toMatchObject({
      code: "ModelUnavailable",
    });
    await expect((await modelWith([{ status: 400 }])).model.chat(ask)).rejects.toMatchObject({
      code: "ModelRefused",
    });
    await expect(
      (await modelWith([{ delayMs: 1_000, after: { content: "late" } }], 50)).model.chat(ask),
    ).rejects.toMatchObject({
      code: "ModelTimeout",
    });
  });
});
