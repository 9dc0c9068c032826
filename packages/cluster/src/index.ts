export * from "./access";
export * from "./directory";
export * from "./eks";
export * from "./errors";
export * from "./executors";
export * from "./inspect";
export * from "./kubeconfig";
export * from "./spec-hash";
