export * from "./catalog";
export * from "./definition";
export * from "./parameters";
export * from "./quantity";
