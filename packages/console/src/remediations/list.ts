import { OUTCOMES, PHASES, type RemediationRequest } from "@kubernaut/core";
import type { RemediationStore } from "@kubernaut/store";
import { z } from "zod";

export const PAGE_SIZE = 50;
/**
 * A workflow filter is applied to what the store returns, so a rare workflow could mean reading the
 * whole table for one page; a request reads at most this many remediations and then offers the next page.
 */
export const WORKFLOW_SCAN_LIMIT = 1_000;

const blankAsUndefined = (value: unknown) => (value === "" ? undefined : value);

/** The list's query string: an unknown phase or outcome is a 400, not an empty list that reads as "none". */
export const ListFilter = z.object({
  phase: z.preprocess(blankAsUndefined, z.enum(PHASES).optional()),
  outcome: z.preprocess(blankAsUndefined, z.enum(OUTCOMES).optional()),
  namespace: z.preprocess(blankAsUndefined, z.string().trim().min(1).max(253).optional()),
  workflow: z.preprocess(blankAsUndefined, z.string().trim().min(1).max(120).optional()),
  cursor: z.preprocess(blankAsUndefined, z.string().min(1).max(2048).optional()),
});
export type ListFilter = z.output<typeof ListFilter>;

export interface ListPage {
  items: RemediationRequest[];
  cursor?: string;
  /** Set when a workflow filter stopped at the scan limit before filling the page. */
  partial?: boolean;
}

export function workflowOf(rr: RemediationRequest): string | undefined {
  return rr.workflowExecution?.workflowId ?? rr.analysis?.workflowId;
}

/**
 * One page of remediations, newest first. Phase, outcome and namespace are the store's own filters (an
 * index or a filter expression); the workflow filter is applied here because the store has none. It asks
 * the store for no more rows than the page still needs, so the store's cursor always points just past
 * the last row it returned and paging never skips or repeats a remediation.
 */
export async function listRemediations(
  store: RemediationStore,
  filter: ListFilter,
  pageSize = PAGE_SIZE,
): Promise<ListPage> {
  const base = {
    ...(filter.phase ? { phase: filter.phase } : {}),
    ...(filter.outcome ? { outcome: filter.outcome } : {}),
    ...(filter.namespace ? { namespace: filter.namespace } : {}),
  };
  if (!filter.workflow) {
    const page = await store.list({
      ...base,
      limit: pageSize,
      ...(filter.cursor ? { cursor: filter.cursor } : {}),
    });
    return page.cursor ? { items: page.items, cursor: page.cursor } : { items: page.items };
  }
  const items: RemediationRequest[] = [];
  let cursor = filter.cursor;
  let scanned = 0;
  do {
    const page = await store.list({ ...base, limit: pageSize - items.length, ...(cursor ? { cursor } : {}) });
    scanned += page.items.length;
    items.push(...page.items.filter((rr) => workflowOf(rr) === filter.workflow));
    cursor = page.cursor;
  } while (cursor && items.length < pageSize && scanned < WORKFLOW_SCAN_LIMIT);
  if (!cursor) return { items };
  return { items, cursor, ...(items.length < pageSize ? { partial: true } : {}) };
}
