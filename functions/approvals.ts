import { SFNClient } from "@aws-sdk/client-sfn";
import { createApprovalsApp, StepFunctionsDecisionSender } from "@kubernaut/api";
import { SystemAuditStore } from "@kubernaut/store";
import { WebClient } from "@slack/web-api";
import { handle } from "hono/aws-lambda";
import { approvalDeps } from "./approvals-runtime";
import { loadRuntimeConfig } from "./runtime";

/** Approvals route group (DESIGN §9): list and decide; carries opa-wasm to re-evaluate overrides. */
const config = await loadRuntimeConfig();
const deps = approvalDeps(config);
export const handler = handle(
  createApprovalsApp({
    config,
    approvals: {
      ...deps,
      systemAudit: new SystemAuditStore(deps.db, config.storage.tableName, config.retention.auditDays),
      sender: new StepFunctionsDecisionSender(new SFNClient({})),
    },
    slack: {
      slack: new WebClient(config.slack.botToken, {
        slackApiUrl: config.slack.apiUrl,
        retryConfig: { retries: 0 },
      }),
      systemAudit: new SystemAuditStore(deps.db, config.storage.tableName, config.retention.auditDays),
    },
  }),
);
