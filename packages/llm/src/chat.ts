/** The provider-neutral conversation the investigator runs (OpenAI-compatible and Bedrock map onto it). */
export type ChatMessage =
  | { role: "system" | "user"; content: string }
  | { role: "assistant"; content: string; toolCalls?: ToolCall[] }
  | { role: "tool"; toolCallId: string; content: string };

export interface ToolCall {
  id: string;
  name: string;
  /** As the model sent it: JSON text, parsed (and validated) by the tool loop. */
  arguments: string;
}

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
}

export interface ChatReply {
  content: string;
  toolCalls: ToolCall[];
  usage: { inputTokens: number; outputTokens: number };
  latencyMs: number;
}

export interface ChatModel {
  readonly provider: string;
  readonly model: string;
  chat(messages: readonly ChatMessage[], tools?: readonly ToolSpec[]): Promise<ChatReply>;
}

/** A model call that failed in a way worth naming: ModelTimeout, ModelUnavailable, ModelRefused. */
export class ModelError extends Error {
  constructor(
    readonly code: "ModelTimeout" | "ModelUnavailable" | "ModelRefused",
    message: string,
  ) {
    super(message);
    this.name = "ModelError";
  }
}
