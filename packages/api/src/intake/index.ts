export * from "./routes";
export * from "./starter";
export * from "./submit";
