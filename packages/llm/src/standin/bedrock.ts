import { type ScriptStep, scriptedServer } from "./scripted";

/**
 * A loopback server speaking the Bedrock Converse wire format (`POST /model/{id}/converse`) from the
 * same scripts as the OpenAI stand-in; the SDK's SigV4 signature is accepted unchecked.
 */
export async function startBedrockStandIn(script: ScriptStep[]) {
  let calls = 0;
  const server = await scriptedServer<{
    messages: Array<{ role: string; content: Array<Record<string, unknown>> }>;
    system?: Array<{ text: string }>;
    toolConfig?: { tools: unknown[] };
  }>(
    script,
    (answer, n) => ({
      output: {
        message: {
          role: "assistant",
          content:
            "content" in answer
              ? [{ text: answer.content }]
              : answer.toolCalls.map((call) => ({
                  toolUse: { toolUseId: `tooluse_${++calls}`, name: call.name, input: call.arguments },
                })),
        },
      },
      stopReason: "content" in answer ? "end_turn" : "tool_use",
      usage: { inputTokens: 100 * n, outputTokens: 20, totalTokens: 100 * n + 20 },
      metrics: { latencyMs: 1 },
    }),
    { http2: true },
  );
  return { url: server.origin, requests: server.requests, close: server.close };
}
