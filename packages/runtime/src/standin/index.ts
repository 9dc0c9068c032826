export * from "./ssm";
