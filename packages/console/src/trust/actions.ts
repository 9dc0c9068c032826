import { ApiError, type Caller } from "@kubernaut/http";
import {
  changeTrustLevel as changeTrust,
  setPaused as setPausedOnTheLadder,
  type TrustChange,
} from "@kubernaut/trust";
import type { ConsoleDeps } from "../deps";

export { PauseReason, TrustChange } from "@kubernaut/trust";

function admin(caller: Caller): void {
  if (caller.role !== "admin")
    throw new ApiError(
      403,
      "forbidden",
      `${caller.name} (${caller.role}) may not change trust; it needs an admin.`,
    );
}

/** What the trust ladder's actions need, from the console's dependencies. */
function trustDeps(deps: ConsoleDeps) {
  return {
    config: deps.decisions.config,
    trust: deps.trust,
    systemAudit: deps.decisions.systemAudit,
    catalog: deps.decisions.catalog,
    ...(deps.now ? { now: deps.now } : {}),
  };
}

/**
 * Graduates or demotes a workflow through the one implementation every door uses, audited with the
 * person and the console as the channel — the same record as a change through the API.
 */
export async function changeTrustLevel(
  deps: ConsoleDeps,
  request: { workflowId: string; change: TrustChange; caller: Caller },
) {
  admin(request.caller);
  return changeTrust(trustDeps(deps), {
    workflowId: request.workflowId,
    change: request.change,
    actor: { id: request.caller.name, channel: "console" },
  });
}

/** The kill switch, audited like `PUT`/`DELETE /api/v1/pause`. */
export async function setPaused(deps: ConsoleDeps, paused: boolean, caller: Caller, reason: string) {
  admin(caller);
  return setPausedOnTheLadder(trustDeps(deps), paused, { id: caller.name, channel: "console" }, reason);
}
