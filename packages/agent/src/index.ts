export * from "./enrich";
export * from "./select";
