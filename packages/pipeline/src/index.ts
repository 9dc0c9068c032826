export * from "./definition";
export * from "./engine";
export * from "./local";
export * from "./reconcile";
export * from "./tasks";
