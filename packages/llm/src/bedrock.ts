import {
  BedrockRuntimeClient,
  type Tool as BedrockTool,
  type ContentBlock,
  ConverseCommand,
  type Message,
} from "@aws-sdk/client-bedrock-runtime";
import { type ChatMessage, type ChatModel, type ChatReply, ModelError, type ToolSpec } from "./chat";

export interface BedrockOptions {
  region: string;
  /** A model or inference-profile id, e.g. anthropic.claude-3-5-sonnet-20241022-v2:0. */
  model: string;
  timeoutMs: number;
  /** Retries of throttling and 5xx (the SDK's standard retry strategy). */
  retries: number;
  /** For the stand-in (tests, `npm start`); absent, the regional Bedrock endpoint. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Amazon Bedrock through the Converse API, with tool use; the Lambda's IAM role signs the calls. */
export class BedrockConverseModel implements ChatModel {
  readonly provider = "bedrock";
  readonly model: string;
  private readonly client: BedrockRuntimeClient;

  constructor(private readonly options: BedrockOptions) {
    this.model = options.model;
    this.client = new BedrockRuntimeClient({
      region: options.region,
      maxAttempts: options.retries + 1,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
  }

  async chat(messages: readonly ChatMessage[], tools: readonly ToolSpec[] = []): Promise<ChatReply> {
    const started = Date.now();
    const system = messages.flatMap((m) => (m.role === "system" ? [{ text: m.content }] : []));
    try {
      const response = await this.client.send(
        new ConverseCommand({
          modelId: this.options.model,
          messages: toConverse(messages),
          ...(system.length ? { system } : {}),
          ...(tools.length
            ? {
                toolConfig: {
                  tools: tools.map(
                    (t): BedrockTool => ({
                      toolSpec: {
                        name: t.name,
                        description: t.description,
                        // biome-ignore lint/suspicious/noExplicitAny: the SDK types JSON Schema as a DocumentType.
                        inputSchema: { json: t.parameters as any },
                      },
                    }),
                  ),
                },
              }
            : {}),
        }),
        { abortSignal: AbortSignal.timeout(this.options.timeoutMs) },
      );
      const content = response.output?.message?.content ?? [];
      return {
        content: content.flatMap((b) => (b.text !== undefined ? [b.text] : [])).join(""),
        toolCalls: content.flatMap((b) =>
          b.toolUse
            ? [
                {
                  id: b.toolUse.toolUseId ?? "",
                  name: b.toolUse.name ?? "",
                  arguments: JSON.stringify(b.toolUse.input ?? {}),
                },
              ]
            : [],
        ),
        usage: {
          inputTokens: response.usage?.inputTokens ?? 0,
          outputTokens: response.usage?.outputTokens ?? 0,
        },
        latencyMs: Date.now() - started,
      };
    } catch (error) {
      const name = (error as Error).name;
      if (name === "TimeoutError" || name === "AbortError")
        throw new ModelError("ModelTimeout", `no answer within ${this.options.timeoutMs} ms`);
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
      if (status === 429 || status >= 500 || name === "ThrottlingException")
        throw new ModelError("ModelUnavailable", `${name} from Bedrock`);
      throw new ModelError("ModelRefused", `${name}: ${(error as Error).message}`);
    }
  }
}

/**
 * Converse wants alternating user/assistant turns: tool results travel as `toolResult` blocks in a
 * user message, and consecutive ones share it.
 */
function toConverse(messages: readonly ChatMessage[]): Message[] {
  const result: Message[] = [];
  const push = (role: "user" | "assistant", blocks: ContentBlock[]) => {
    const last = result[result.length - 1];
    if (last && last.role === role) last.content = [...(last.content ?? []), ...blocks];
    else result.push({ role, content: blocks });
  };
  for (const m of messages) {
    switch (m.role) {
      case "system":
        break;
      case "user":
        push("user", [{ text: m.content }]);
        break;
      case "assistant":
        push("assistant", [
          ...(m.content ? [{ text: m.content }] : []),
          ...(m.toolCalls ?? []).map(
            (c): ContentBlock => ({
              toolUse: { toolUseId: c.id, name: c.name, input: safeJson(c.arguments) },
            }),
          ),
        ]);
        break;
      case "tool":
        push("user", [{ toolResult: { toolUseId: m.toolCallId, content: [{ text: m.content }] } }]);
        break;
    }
  }
  return result;
}

// biome-ignore lint/suspicious/noExplicitAny: Converse tool input is an arbitrary JSON document.
function safeJson(text: string): any {
  try {
    return JSON.parse(text || "{}");
  } catch {
    return {};
  }
}
