export * from "./alignment";
export * from "./chat";
export * from "./loop";
export * from "./openai";
export * from "./proposal";
export * from "./redact";
