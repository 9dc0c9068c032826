import { BedrockConverseModel } from "./bedrock";
import type { ChatModel } from "./chat";
import { OpenAiCompatibleModel } from "./openai";

/** Where a model is used; each may name its own model (`aianalysis.llm.phases`). */
export type LlmPhase = "investigation" | "alignment" | "intake";

/**
 * The configured model (`aianalysis.llm`) for a phase; an API key is read from the named environment
 * variable.
 */
export function createModel(
  config: {
    provider: "openai-compatible" | "bedrock";
    baseUrl?: string | undefined;
    region?: string | undefined;
    model: string;
    apiKeyEnv: string;
    timeout: number;
    retries: number;
    phases?: Partial<Record<LlmPhase, { model: string } | undefined>>;
  },
  env: Readonly<Record<string, string | undefined>> = process.env,
  phase: LlmPhase = "investigation",
): ChatModel {
  const model = config.phases?.[phase]?.model ?? config.model;
  if (config.provider === "bedrock") {
    return new BedrockConverseModel({
      region: config.region ?? env.AWS_REGION ?? "us-east-1",
      model,
      timeoutMs: config.timeout,
      retries: config.retries,
      ...(config.baseUrl ? { endpoint: config.baseUrl } : {}),
    });
  }
  const apiKey = env[config.apiKeyEnv];
  return new OpenAiCompatibleModel({
    baseUrl: config.baseUrl ?? "",
    model,
    timeoutMs: config.timeout,
    retries: config.retries,
    ...(apiKey ? { apiKey } : {}),
  });
}
