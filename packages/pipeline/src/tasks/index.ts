import { z } from "zod";
import type { TaskFunction } from "../definition";
import { analyze } from "./analyze";
import type { PipelineDeps } from "./deps";
import { enrich } from "./enrich";
import { classifyErrors } from "./errors";
import { checkRollout, execute, executeStep, recordOutcome } from "./execute";
import { finish } from "./finish";
import { evaluatePolicy, requestApproval } from "./policy";

export * from "./deps";
export * from "./errors";

const RemediationPayload = z.object({ remediationId: z.string().min(1) }).passthrough();

export type TaskHandler = (payload: unknown) => Promise<unknown>;

/**
 * Every task of the state machine as a function of its payload. Lambda entries in functions/tasks/
 * export one each; the local engine calls them in-process. The payload is validated at this edge.
 */
export function createTaskHandlers(deps: PipelineDeps): Record<TaskFunction, TaskHandler> {
  const task =
    <T>(run: (payload: z.infer<typeof RemediationPayload>) => Promise<T>): TaskHandler =>
    (payload) =>
      classifyErrors(() => run(RemediationPayload.parse(payload)));
  return {
    enrich: task((p) => enrich(deps, p.remediationId)),
    analyze: task((p) => analyze(deps, p.remediationId)),
    "evaluate-policy": task((p) => evaluatePolicy(deps, p.remediationId)),
    "request-approval": task((p) =>
      requestApproval(deps, p.remediationId, z.string().min(1).parse(p.taskToken)),
    ),
    execute: task((p) => execute(deps, p.remediationId)),
    "execute-step": task((p) => executeStep(deps, p.remediationId, z.number().int().min(0).parse(p.step))),
    "check-rollout": task((p) => checkRollout(deps, p.remediationId)),
    "record-outcome": task((p) => recordOutcome(deps, p.remediationId)),
    finish: task((p) => finish(deps, p.remediationId, p.result, p.error)),
  };
}
