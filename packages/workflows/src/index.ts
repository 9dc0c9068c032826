export * from "./actions";
export * from "./catalog";
export * from "./definition";
export * from "./parameters";
export * from "./quantity";
export * from "./template";
