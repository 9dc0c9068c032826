export * from "./access";
export * from "./errors";
export * from "./executors";
export * from "./inspect";
export * from "./kubeconfig";
export * from "./spec-hash";
