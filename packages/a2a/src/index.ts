export * from "./artifacts";
export * from "./card";
export * from "./handler";
export * from "./routes";
export * from "./task-state";
export * from "./task-store";
export * from "./tracker";
