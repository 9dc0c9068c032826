export * from "./emf";
export * from "./logger";
export * from "./registry";
