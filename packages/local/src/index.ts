export * from "./demo";
export * from "./dynamodb-local";
export * from "./loop";
export * from "./ports";
export * from "./real-cluster";
export * from "./sample";
export * from "./secrets";
