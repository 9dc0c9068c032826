export * from "./approvals";
export * from "./client";
export * from "./errors";
export * from "./keys";
export * from "./leases";
export * from "./remediations";
export * from "./system-audit";
export * from "./table";
