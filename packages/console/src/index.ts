export { createConsole } from "./app";
export { BASE as CONSOLE_BASE, type ConsoleDeps } from "./deps";
export type { ListFilter } from "./remediations/list";
export { renderApprovalQueue, renderRemediationList, type Viewer } from "./render";
export {
  ConsoleSettings,
  ConsoleSettingsError,
  type ConsoleSettingsInput,
  consoleSettingsFromEnv,
  OidcSettings,
} from "./settings";
