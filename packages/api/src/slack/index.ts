export * from "./identity";
export * from "./modal";
export * from "./routes";
export * from "./verify";
