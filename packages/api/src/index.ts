export * from "./app";
export * from "./approvals";
export * from "./ingest";
export * from "./slack";
export * from "./workflows/routes";
