import { type ScriptStep, scriptedServer } from "./scripted";

export type { ScriptStep } from "./scripted";

/**
 * A loopback server speaking the OpenAI chat-completions wire format from a script, so tests and
 * `npm start` exercise the real client over HTTP — including misbehaviour: invalid JSON, unknown
 * workflows, tool-call storms, errors, timeouts. Every request body is kept (what the model was shown).
 */
export async function startOpenAiStandIn(script: ScriptStep[]) {
  let calls = 0;
  const server = await scriptedServer<{
    messages: Array<{ role: string; content?: string }>;
    tools?: unknown[];
  }>(script, (answer, n) => ({
    id: `chatcmpl-${n}`,
    object: "chat.completion",
    choices: [
      {
        index: 0,
        message:
          "content" in answer
            ? { role: "assistant", content: answer.content }
            : {
                role: "assistant",
                content: null,
                tool_calls: answer.toolCalls.map((call) => ({
                  id: `call_${++calls}`,
                  type: "function",
                  function: { name: call.name, arguments: JSON.stringify(call.arguments) },
                })),
              },
        finish_reason: "content" in answer ? "stop" : "tool_calls",
      },
    ],
    usage: { prompt_tokens: 100 * n, completion_tokens: 20, total_tokens: 100 * n + 20 },
  }));
  return { url: `${server.origin}/v1`, requests: server.requests, close: server.close };
}
