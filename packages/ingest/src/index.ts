export * from "./ingest-signal";
export * from "./starters";
export * from "./submit-intake";
