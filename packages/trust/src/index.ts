export * from "./actions";
export * from "./registered";
