export * from "./decide";
export * from "./deliver";
