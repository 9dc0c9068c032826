import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/** One scripted answer: text, tool calls, an HTTP error, or silence for a while (a timeout). */
export type ScriptStep =
  | { content: string }
  | { toolCalls: Array<{ name: string; arguments: unknown }> }
  | { status: number; retryAfter?: number }
  | { delayMs: number; after: ScriptStep };

/**
 * A loopback server speaking the OpenAI chat-completions wire format, answering from a script in
 * order (the last step repeats), so tests and `npm start` exercise the real client over HTTP —
 * including misbehaviour: invalid JSON, unknown workflows, tool-call storms, errors, timeouts.
 * Every request body is kept for assertions (what the model was shown).
 */
export async function startOpenAiStandIn(script: ScriptStep[]) {
  const requests: Array<{ messages: Array<{ role: string; content?: string }>; tools?: unknown[] }> = [];
  let next = 0;
  let calls = 0;
  const server = createServer(async (req, res) => {
    const body = JSON.parse(await read(req)) as (typeof requests)[number];
    requests.push(body);
    let step = script[Math.min(next++, script.length - 1)] as ScriptStep;
    while ("delayMs" in step) {
      const { delayMs, after } = step;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (res.destroyed || req.destroyed) return;
      step = after;
    }
    if ("status" in step) {
      res.writeHead(step.status, {
        "content-type": "application/json",
        ...(step.retryAfter !== undefined ? { "retry-after": String(step.retryAfter) } : {}),
      });
      res.end(JSON.stringify({ error: { message: `scripted ${step.status}` } }));
      return;
    }
    const message =
      "content" in step
        ? { role: "assistant", content: step.content }
        : {
            role: "assistant",
            content: null,
            tool_calls: step.toolCalls.map((call) => ({
              id: `call_${++calls}`,
              type: "function",
              function: { name: call.name, arguments: JSON.stringify(call.arguments) },
            })),
          };
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        id: `chatcmpl-${requests.length}`,
        object: "chat.completion",
        choices: [{ index: 0, message, finish_reason: "content" in step ? "stop" : "tool_calls" }],
        usage: {
          prompt_tokens: 100 * requests.length,
          completion_tokens: 20,
          total_tokens: 100 * requests.length + 20,
        },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    req.on("data", (chunk) => {
      data += chunk;
    });
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}
