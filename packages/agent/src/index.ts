export * from "./enrich";
export * from "./rules";
export * from "./select";
