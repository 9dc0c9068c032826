export * from "./logger";
export * from "./registry";
