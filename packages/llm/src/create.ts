import { BedrockConverseModel } from "./bedrock";
import type { ChatModel } from "./chat";
import { OpenAiCompatibleModel } from "./openai";

/** The configured model (`aianalysis.llm`); an API key is read from the named environment variable. */
export function createModel(
  config: {
    provider: "openai-compatible" | "bedrock";
    baseUrl?: string | undefined;
    region?: string | undefined;
    model: string;
    apiKeyEnv: string;
    timeout: number;
    retries: number;
  },
  env: Readonly<Record<string, string | undefined>> = process.env,
): ChatModel {
  if (config.provider === "bedrock") {
    return new BedrockConverseModel({
      region: config.region ?? env.AWS_REGION ?? "us-east-1",
      model: config.model,
      timeoutMs: config.timeout,
      retries: config.retries,
      ...(config.baseUrl ? { endpoint: config.baseUrl } : {}),
    });
  }
  const apiKey = env[config.apiKeyEnv];
  return new OpenAiCompatibleModel({
    baseUrl: config.baseUrl ?? "",
    model: config.model,
    timeoutMs: config.timeout,
    retries: config.retries,
    ...(apiKey ? { apiKey } : {}),
  });
}
