export * from "./bedrock";
export * from "./openai";
