export * from "./openai";
