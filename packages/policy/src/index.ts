export * from "./build";
export * from "./evaluate";
export * from "./input";
export * from "./opa-cli";
export * from "./shipped";
export * from "./store";
