export * from "./routes";
export * from "./starter";
