export * from "./chat";
export * from "./openai";
export * from "./proposal";
export * from "./redact";
