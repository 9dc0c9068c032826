export * from "./decide";
export * from "./deliver";
export * from "./routes";
