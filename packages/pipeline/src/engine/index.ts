export * from "./history";
export * from "./local-engine";
export * from "./server";
