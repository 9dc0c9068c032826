import { ApiError, type Caller } from "@kubernaut/api";
import type { TrustLevel } from "@kubernaut/store";
import { findWorkflow, withRegistered } from "@kubernaut/workflows";
import { z } from "zod";
import type { ConsoleDeps } from "../deps";

/** The same rules as `PATCH /api/v1/workflows/{id}/trust`. */
export const TrustChange = z
  .object({
    level: z.enum(["observe", "approve", "automate"]),
    namespaces: z.array(z.string().min(1).max(63)).max(100).optional(),
    reason: z.string().trim().min(1, "say why the trust level changes").max(2000),
  })
  .strict();
export type TrustChange = z.infer<typeof TrustChange>;

export const PauseReason = z.string().trim().min(1, "say why execution pauses").max(2000);

function admin(caller: Caller): void {
  if (caller.role !== "admin")
    throw new ApiError(
      403,
      "forbidden",
      `${caller.name} (${caller.role}) may not change trust; it needs an admin.`,
    );
}

/**
 * Graduates or demotes a workflow (whole, or in some namespaces) and records it in the system audit
 * stream with the person and the console as the channel — the same record, in the same shape, as a
 * change through the API, so the trust history reads the same whichever door was used.
 */
export async function changeTrustLevel(
  deps: ConsoleDeps,
  request: { workflowId: string; change: TrustChange; caller: Caller },
) {
  admin(request.caller);
  const registerAs: TrustLevel = deps.decisions.config().remediationOrchestrator.newWorkflowsDryRun
    ? "observe"
    : "approve";
  const catalog = withRegistered(deps.decisions.catalog, await deps.trust.registered());
  if (!findWorkflow(request.workflowId, catalog)) {
    throw new ApiError(404, "not_found", `workflow ${request.workflowId} is not in the catalog`);
  }
  const at = deps.now?.() ?? new Date();
  const before = await deps.trust.get(request.workflowId, registerAs);
  const after = await deps.trust.setLevel(
    request.workflowId,
    { ...request.change, actor: request.caller.name, at },
    registerAs,
  );
  await deps.decisions.systemAudit.append({
    type: "TrustChanged",
    at: at.toISOString(),
    actor: { type: "user", id: request.caller.name, channel: "console" },
    details: {
      workflowId: request.workflowId,
      from: { level: before.level, namespaces: before.namespaces },
      to: { level: after.level, namespaces: after.namespaces },
      reason: request.change.reason,
    },
  });
  return after;
}

/** The kill switch, audited like `PUT`/`DELETE /api/v1/pause`. */
export async function setPaused(deps: ConsoleDeps, paused: boolean, caller: Caller, reason: string) {
  admin(caller);
  const at = deps.now?.() ?? new Date();
  await deps.trust.setPaused(paused, caller.name, reason, at);
  await deps.decisions.systemAudit.append({
    type: paused ? "Paused" : "Resumed",
    at: at.toISOString(),
    actor: { type: "user", id: caller.name, channel: "console" },
    details: { reason },
  });
  return deps.trust.paused();
}
