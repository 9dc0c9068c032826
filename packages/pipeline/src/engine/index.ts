export * from "./history";
export * from "./local-arns";
export * from "./local-engine";
export * from "./server";
