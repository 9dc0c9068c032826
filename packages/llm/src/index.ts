export * from "./alignment";
export * from "./bedrock";
export * from "./chat";
export * from "./create";
export * from "./loop";
export * from "./openai";
export * from "./proposal";
export * from "./redact";
