export * from "./assess";
export * from "./sources";
export * from "./standins";
