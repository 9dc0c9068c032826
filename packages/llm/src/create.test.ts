import { describe, expect, it } from "vitest";
import { BedrockConverseModel } from "./bedrock";
import { createModel } from "./create";
import { OpenAiCompatibleModel } from "./openai";

const base = { model: "m", apiKeyEnv: "KEY", timeout: 1_000, retries: 1 };

describe("createModel", () => {
  it("builds the configured provider", () => {
    expect(
      createModel({ ...base, provider: "openai-compatible", baseUrl: "http://x/v1" }, {}),
    ).toBeInstanceOf(OpenAiCompatibleModel);
    const bedrock = createModel({ ...base, provider: "bedrock" }, { AWS_REGION: "eu-central-1" });
    expect(bedrock).toBeInstanceOf(BedrockConverseModel);
    expect(bedrock).toMatchObject({ provider: "bedrock", model: "m" });
  });

  it.each([
    { phase: "investigation", model: "big" },
    { phase: "alignment", model: "small" },
    { phase: "intake", model: "big" },
  ] as const)("gives the $phase phase its own model when configured ($model)", ({ phase, model }) => {
    const config = {
      ...base,
      model: "big",
      provider: "openai-compatible" as const,
      baseUrl: "http://x/v1",
      phases: { alignment: { model: "small" } },
    };
    expect(createModel(config, {}, phase)).toMatchObject({ model });
  });
});
