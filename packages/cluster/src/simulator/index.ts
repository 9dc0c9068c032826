export * from "./behaviour";
export * from "./controllers";
export * from "./patch";
export * from "./resources";
export * from "./scenario";
export * from "./selectors";
export * from "./server";
export * from "./store";
