export * from "./alignment";
export * from "./classify";
export * from "./enrich";
export * from "./feedback";
export * from "./rules";
export * from "./select";
export * from "./suggest";
