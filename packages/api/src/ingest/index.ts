export * from "../intake";
export * from "./alertmanager";
export * from "./app";
export * from "./routes";
