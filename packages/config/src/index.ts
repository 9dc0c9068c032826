export * from "./load";
export * from "./schema";
export * from "./secrets";
export * from "./source";
