import type { Caller } from "@kubernaut/http";
import { queuePage } from "./approvals/page";
import { loadQueue } from "./approvals/queue";
import type { ConsoleDeps } from "./deps";
import { type ListFilter, listRemediations } from "./remediations/list";
import { listPage } from "./remediations/page";

/** Who the page is for: the signed-in caller and their form token (the benchmark passes neither). */
export interface Viewer {
  caller?: Caller | undefined;
  csrf?: string | undefined;
}

/**
 * The approval queue, rendered end to end (its reads included) without HTTP. Its route serves exactly
 * this, which is why the benchmark suite calls it against a table of 1,000 remediations (the budget is
 * 200 ms locally).
 */
export async function renderApprovalQueue(deps: ConsoleDeps, viewer: Viewer = {}): Promise<string> {
  const [items, paused] = await Promise.all([loadQueue(deps), deps.trust.paused()]);
  return queuePage(items, { ...viewer, paused }, deps.now?.() ?? new Date()).value;
}

/** The remediation list (one page, newest first, filtered), the same way; the benchmark's other page. */
export async function renderRemediationList(
  deps: ConsoleDeps,
  filter: ListFilter = {},
  viewer: Viewer = {},
): Promise<string> {
  const [result, paused] = await Promise.all([
    listRemediations(deps.decisions.store, filter),
    deps.trust.paused(),
  ]);
  const workflows = deps.decisions.catalog.map((w) => w.id);
  return listPage(result, filter, workflows, { ...viewer, paused }).value;
}
