import { type ChatMessage, type ChatModel, type ChatReply, ModelError, type ToolSpec } from "./chat";

export interface OpenAiCompatibleOptions {
  /** e.g. https://api.openai.com/v1 or a local vLLM / Ollama endpoint. */
  baseUrl: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
  /** Retries on 429, 5xx and timeouts, with exponential backoff (Retry-After honoured). */
  retries: number;
  backoffMs?: number;
}

/** Any OpenAI-compatible chat-completions endpoint, with tools (function calling). */
export class OpenAiCompatibleModel implements ChatModel {
  readonly provider = "openai-compatible";
  readonly model: string;

  constructor(private readonly options: OpenAiCompatibleOptions) {
    this.model = options.model;
  }

  async chat(messages: readonly ChatMessage[], tools: readonly ToolSpec[] = []): Promise<ChatReply> {
    const body = JSON.stringify({
      model: this.options.model,
      messages: messages.map(toWire),
      ...(tools.length
        ? { tools: tools.map((t) => ({ type: "function", function: t })), tool_choice: "auto" }
        : {}),
    });
    let lastError: ModelError | undefined;
    for (let attempt = 0; attempt <= this.options.retries; attempt++) {
      const started = Date.now();
      let response: Response;
      try {
        response = await fetch(`${this.options.baseUrl.replace(/\/$/, "")}/chat/completions`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
          },
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
      } catch (error) {
        const timedOut = (error as Error).name === "TimeoutError";
        lastError = new ModelError(
          timedOut ? "ModelTimeout" : "ModelUnavailable",
          timedOut ? `no answer within ${this.options.timeoutMs} ms` : (error as Error).message,
        );
        await this.pause(attempt);
        continue;
      }
      if (response.status === 429 || response.status >= 500) {
        lastError = new ModelError("ModelUnavailable", `${response.status} from ${this.options.baseUrl}`);
        await this.pause(attempt, Number(response.headers.get("retry-after")) * 1000 || undefined);
        continue;
      }
      if (!response.ok) {
        throw new ModelError("ModelRefused", `${response.status}: ${(await response.text()).slice(0, 500)}`);
      }
      return fromWire((await response.json()) as WireResponse, Date.now() - started);
    }
    throw lastError ?? new ModelError("ModelUnavailable", "no attempt made");
  }

  private pause(attempt: number, retryAfterMs?: number): Promise<void> {
    if (attempt >= this.options.retries) return Promise.resolve();
    const ms = retryAfterMs ?? (this.options.backoffMs ?? 500) * 2 ** attempt;
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}

interface WireResponse {
  choices?: Array<{
    message?: {
      content?: string | null;
      tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
    };
  }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

function toWire(message: ChatMessage): Record<string, unknown> {
  switch (message.role) {
    case "tool":
      return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
    case "assistant":
      return {
        role: "assistant",
        content: message.content,
        ...(message.toolCalls?.length
          ? {
              tool_calls: message.toolCalls.map((c) => ({
                id: c.id,
                type: "function",
                function: { name: c.name, arguments: c.arguments },
              })),
            }
          : {}),
      };
    default:
      return { role: message.role, content: message.content };
  }
}

function fromWire(wire: WireResponse, latencyMs: number): ChatReply {
  const message = wire.choices?.[0]?.message;
  if (!message) throw new ModelError("ModelRefused", "the response has no choices[0].message");
  return {
    content: message.content ?? "",
    toolCalls: (message.tool_calls ?? []).map((c) => ({
      id: c.id,
      name: c.function.name,
      arguments: c.function.arguments,
    })),
    usage: { inputTokens: wire.usage?.prompt_tokens ?? 0, outputTokens: wire.usage?.completion_tokens ?? 0 },
    latencyMs,
  };
}
