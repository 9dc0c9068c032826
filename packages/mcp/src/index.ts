export * from "./api-client";
export * from "./routes";
export * from "./server";
