export * from "./alignment";
export * from "./classify";
export * from "./enrich";
export * from "./feedback";
export * from "./llm";
export * from "./rules";
export * from "./select";
export * from "./suggest";
