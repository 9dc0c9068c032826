import { Logger } from "@aws-lambda-powertools/logger";

/** The one logger every route group shares (JSON lines; CloudWatch on Lambda, stdout locally). */
export const logger = new Logger({
  serviceName: "kubernaut",
  logLevel: (process.env.KUBERNAUT_LOG_LEVEL ?? (process.env.VITEST ? "SILENT" : "INFO")) as "INFO",
});
