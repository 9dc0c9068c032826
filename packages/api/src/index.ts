export * from "./app";
export * from "./auth";
export * from "./errors";
export * from "./ingest";
export * from "./logger";
