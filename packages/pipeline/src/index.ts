export * from "./definition";
export * from "./engine";
export * from "./reconcile";
export * from "./tasks";
