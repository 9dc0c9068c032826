export * from "./dynamodb-local";
export * from "./ports";
