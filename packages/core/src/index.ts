export * from "./audit";
export * from "./dedup";
export * from "./duration";
export * from "./effectiveness";
export * from "./fingerprint";
export * from "./ids";
export * from "./remediation";
export * from "./target";
