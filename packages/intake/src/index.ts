export * from "./definition";
export * from "./handlers";
export * from "./interpret";
