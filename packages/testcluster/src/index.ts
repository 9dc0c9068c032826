export * from "./api";
export * from "./binary";
export * from "./kubelet";
export * from "./launcher";
export * from "./product";
export * from "./scenario";
