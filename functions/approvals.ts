import { SFNClient } from "@aws-sdk/client-sfn";
import { createApprovalsApp, StepFunctionsDecisionSender } from "@kubernaut/api";
import { SystemAuditStore } from "@kubernaut/store";
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
  }),
);
