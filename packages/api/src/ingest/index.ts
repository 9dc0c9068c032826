export * from "../intake";
export * from "./alertmanager";
export * from "./app";
export * from "./ingest-signal";
export * from "./routes";
export * from "./starter";
