import { SFNClient } from "@aws-sdk/client-sfn";
import {
  createApp,
  StepFunctionsDecisionSender,
  StepFunctionsIntakeStarter,
  StepFunctionsStarter,
} from "@kubernaut/api";
import { mcpRoutes } from "@kubernaut/mcp";
import { IntakeStore, SuggestionStore, SystemAuditStore, TrustStore } from "@kubernaut/store";
import { CATALOG } from "@kubernaut/workflows";
import { handle } from "hono/aws-lambda";
import { approvalDeps } from "./approvals-runtime";
import { loadRuntimeConfig, requiredEnv } from "./runtime";

/**
 * The assistants' and agents' route group (DESIGN §2): MCP at `/mcp`. Its tools call the API in-process
 * with the caller's token, so this function carries the API's route groups (approvals with opa-wasm
 * included) — which is why it is a function of its own, not part of the small ingest one.
 */
const config = await loadRuntimeConfig();
const deps = approvalDeps(config);
const sfn = new SFNClient({});
const systemAudit = new SystemAuditStore(deps.db, config.storage.tableName, config.retention.auditDays);
const app = createApp({
  config,
  store: deps.store,
  starter: new StepFunctionsStarter(sfn, requiredEnv("KUBERNAUT_STATE_MACHINE_ARN")),
  intake: {
    intakes: new IntakeStore(deps.db, config.storage.tableName, config.retention.remediationDays),
    starter: new StepFunctionsIntakeStarter(sfn, requiredEnv("KUBERNAUT_INTAKE_STATE_MACHINE_ARN")),
  },
  approvals: { ...deps, systemAudit, sender: new StepFunctionsDecisionSender(sfn) },
  trust: {
    config: () => config,
    store: deps.store,
    trust: new TrustStore(deps.db, config.storage.tableName),
    systemAudit,
    catalog: CATALOG,
    suggestions: new SuggestionStore(deps.db, config.storage.tableName),
  },
});
app.route(
  "/",
  mcpRoutes((request) => app.fetch(request), config.auth.apiTokens),
);

export const handler = handle(app);
