import type { Config } from "@kubernaut/config";
import { type Actor, initialLevel, TrustLevel } from "@kubernaut/core";
import { ApiError } from "@kubernaut/http";
import type { SystemAuditStore, TrustStore } from "@kubernaut/store";
import { findWorkflow, type WorkflowDefinition } from "@kubernaut/workflows";
import { parseWorkflowText } from "@kubernaut/workflows/load";
import { z } from "zod";
import { catalogWithRegistered } from "./registered";

/** A graduation or demotion, whole or in some namespaces, with the reason the audit keeps. */
export const TrustChange = z
  .object({
    level: TrustLevel,
    namespaces: z.array(z.string().min(1).max(63)).max(100).optional(),
    reason: z.string().trim().min(1, "say why the trust level changes").max(2000),
  })
  .strict();
export type TrustChange = z.infer<typeof TrustChange>;

export const PauseReason = z.string().trim().min(1, "say why execution pauses").max(2000);

/** What the trust ladder's actions read and write, whichever door calls them. */
export interface TrustActionDeps {
  config: () => Config;
  trust: TrustStore;
  systemAudit: SystemAuditStore;
  catalog: readonly WorkflowDefinition[];
  now?: () => Date;
}

/** Where a new workflow starts on the ladder, as configured now. */
export function registerLevel(deps: Pick<TrustActionDeps, "config">): TrustLevel {
  return initialLevel(deps.config().remediationOrchestrator);
}

/**
 * Graduates or demotes a workflow and records it in the system audit stream — one implementation for
 * every door (API, console, MCP through the API), so the trust history reads the same whichever was used.
 * The caller's role was checked by the door.
 */
export async function changeTrustLevel(
  deps: TrustActionDeps,
  request: { workflowId: string; change: TrustChange; actor: Required<Pick<Actor, "id" | "channel">> },
) {
  const { workflowId, change, actor } = request;
  if (!findWorkflow(workflowId, await catalogWithRegistered(deps)))
    throw new ApiError(404, "not_found", `workflow ${workflowId} is not in the catalog`);
  const at = deps.now?.() ?? new Date();
  // Before and after come from the one conditional write, so the audit's "from" is what was replaced.
  const { before, after } = await deps.trust.setLevel(
    workflowId,
    { ...change, actor: actor.id, at },
    registerLevel(deps),
  );
  await deps.systemAudit.append({
    type: "TrustChanged",
    at: at.toISOString(),
    actor: { type: "user", ...actor },
    details: {
      workflowId,
      from: { level: before.level, namespaces: before.namespaces },
      to: { level: after.level, namespaces: after.namespaces },
      reason: change.reason,
    },
  });
  return after;
}

/** The kill switch, audited with who pulled it, through which door and why. */
export async function setPaused(
  deps: Pick<TrustActionDeps, "trust" | "systemAudit" | "now">,
  paused: boolean,
  actor: Required<Pick<Actor, "id" | "channel">>,
  reason: string,
) {
  const at = deps.now?.() ?? new Date();
  await deps.trust.setPaused(paused, actor.id, reason, at);
  await deps.systemAudit.append({
    type: paused ? "Paused" : "Resumed",
    at: at.toISOString(),
    actor: { type: "user", ...actor },
    details: { reason },
  });
  return deps.trust.paused();
}

/**
 * Registers an operator's workflow sent through the API (YAML or JSON, the catalog directory's format).
 * Validated exactly like a file — every problem named with its path, nothing stored on any — and never
 * shadowing a built-in or a catalog-directory workflow. A new version replaces the registered one and
 * starts at `observe` (or its `initialTrust`, or the configured start when newWorkflowsDryRun is off);
 * the same version again is accepted only unchanged, so one version always names one set of steps.
 */
export async function registerWorkflow(
  deps: TrustActionDeps,
  request: { text: string; actor: Required<Pick<Actor, "id" | "channel">>; reason: string },
) {
  const { workflows, problems } = parseWorkflowText(request.text, "request body");
  if (problems.length > 0)
    throw new ApiError(
      400,
      "invalid_request",
      `the workflow was refused and nothing was registered: ${problems.map((p) => `${p.path}: ${p.reason}`).join("; ")}`,
    );
  const [workflow] = workflows;
  if (!workflow || workflows.length > 1)
    throw new ApiError(400, "invalid_request", "send exactly one workflow per request");
  if (deps.catalog.some((w) => w.id === workflow.id))
    throw new ApiError(
      409,
      "conflict",
      `${workflow.id} is part of the catalog (built in, or a file of catalog.directory): change it there`,
    );
  const at = deps.now?.() ?? new Date();
  const startAs = workflow.initialTrust ?? registerLevel(deps);
  const { status, record } = await deps.trust.registerDefinition(workflow, startAs, {
    actor: request.actor.id,
    at,
    reason: request.reason,
  });
  if (status === "conflict")
    throw new ApiError(
      409,
      "conflict",
      `${workflow.id} version ${workflow.version} is already registered with a different definition: give the change a new version`,
    );
  if (status === "registered")
    await deps.systemAudit.append({
      type: "WorkflowRegistered",
      at: at.toISOString(),
      actor: { type: "user", ...request.actor },
      details: {
        workflowId: workflow.id,
        version: workflow.version,
        ...(record.previousVersion ? { replaces: record.previousVersion } : {}),
        level: record.level,
        steps: workflow.steps.map((step) => step.name),
        reason: request.reason,
      },
    });
  return { workflow, status, trust: { level: record.level, version: record.version } };
}
