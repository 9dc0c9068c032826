import { SFNClient } from "@aws-sdk/client-sfn";
import { StepFunctionsDecisionSender } from "@kubernaut/api";
import { loadConfig, resolveSecretParameters } from "@kubernaut/config";
import { consoleSettingsFromEnv, createConsole } from "@kubernaut/console";
import { SystemAuditStore, TrustStore } from "@kubernaut/store";
import { handle } from "hono/aws-lambda";
import { approvalDeps } from "./approvals-runtime";

/**
 * The console route group (DESIGN §2): server-rendered pages under /console. It decides approvals the
 * way the approvals function does (opa-wasm re-evaluates overrides, the decision goes to the waiting
 * execution), so it is built from the same dependencies; the session secret and the optional OIDC
 * settings come from SSM (`KUBERNAUT_CONSOLE_SECRET_PARAM`, `KUBERNAUT_CONSOLE_OIDC_PARAM`).
 */
const env = await resolveSecretParameters(process.env);
const config = loadConfig(env);
const deps = approvalDeps(config);
const systemAudit = new SystemAuditStore(deps.db, config.storage.tableName, config.retention.auditDays);
export const handler = handle(
  createConsole({
    decisions: { ...deps, systemAudit, sender: new StepFunctionsDecisionSender(new SFNClient({})) },
    trust: new TrustStore(deps.db, config.storage.tableName),
    settings: consoleSettingsFromEnv(env),
  }),
);
