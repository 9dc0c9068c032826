import {
  describeMode,
  effectiveLevel,
  effectiveMode,
  type GraduationRow,
  graduationReport,
  initialLevel,
  type LadderPolicy,
  type RemediationRequest,
  type TrustLevel,
} from "@kubernaut/core";
import type { PolicyStatus } from "@kubernaut/policy";
import { EMPTY_STATS, type WorkflowRecord, type WorkflowStats } from "@kubernaut/store";
import { type WorkflowDefinition, withRegistered } from "@kubernaut/workflows";
import type { ConsoleDeps } from "../deps";
import { workflowOf } from "../remediations/list";

/** As `GET /api/v1/graduation`: every retained remediation, up to this many. */
const REPORT_LIMIT = 10_000;
/** The chart shows the latest scores; older ones are in the statistics. */
const CHART_POINTS = 30;

export interface LadderRow {
  workflow: WorkflowDefinition;
  level: TrustLevel;
  namespaces: Record<string, TrustLevel>;
  /** What happens to its remediations outside the namespaces listed below, in words. */
  effective: string;
  /** The same for each namespace with its own level. */
  namespaceEffective: Record<string, string>;
  changedBy?: string | undefined;
  changedAt?: string | undefined;
  reason?: string | undefined;
  stats: WorkflowStats;
  /** The graduation report's rows for this workflow, one per namespace it ran in. */
  report: GraduationRow[];
  /** Effectiveness scores, oldest first. */
  scores: Array<{ at: string; score: number }>;
}

export interface Ladder {
  rows: LadderRow[];
  globalDryRun: boolean;
  /** The approval policy in force: file, hash and load time, or why there is none. */
  policy: PolicyStatus;
}

async function retainedRemediations(deps: ConsoleDeps): Promise<RemediationRequest[]> {
  const remediations: RemediationRequest[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.decisions.store.list({ limit: 200, ...(cursor ? { cursor } : {}) });
    remediations.push(...page.items);
    cursor = page.cursor;
  } while (cursor && remediations.length < REPORT_LIMIT);
  return remediations;
}

/**
 * Each workflow's trust, statistics, graduation recommendation and score history. Reads only: a workflow
 * nobody has looked up yet is shown at the level it would be registered at, without registering it.
 */
export async function loadLadder(deps: ConsoleDeps): Promise<Ladder> {
  const config = deps.decisions.config();
  const registerAs = initialLevel(config.remediationOrchestrator);
  const [records, remediations, policy] = await Promise.all([
    deps.trust.all(),
    retainedRemediations(deps),
    deps.decisions.policy.describe?.() ?? Promise.resolve<PolicyStatus>({}),
  ]);
  const ladderPolicy: LadderPolicy = {
    configured: policy.path !== undefined,
    usable: policy.hash !== undefined,
  };
  const inEffect = (level: TrustLevel) =>
    describeMode(effectiveMode(config.remediationOrchestrator.dryRun, level, ladderPolicy));
  const byId = new Map<string, WorkflowRecord>(records.map((r) => [r.workflowId, r]));
  const catalog = withRegistered(
    deps.decisions.catalog,
    records.flatMap((r) => (r.definition ? [r.definition] : [])),
  );
  const report = graduationReport(
    remediations,
    (workflowId, namespace) => {
      const record = byId.get(workflowId);
      return record ? effectiveLevel(record, namespace || undefined) : registerAs;
    },
    config.graduation,
    deps.now?.() ?? new Date(),
    (workflowId) => byId.get(workflowId)?.version,
  );
  const scores = new Map<string, Array<{ at: string; score: number }>>();
  for (const rr of remediations) {
    const id = workflowOf(rr);
    // An assessment that measured nothing has no point on a score chart.
    if (!id || !rr.effectiveness || rr.effectiveness.score === null) continue;
    scores.set(id, [
      ...(scores.get(id) ?? []),
      { at: rr.effectiveness.assessedAt, score: rr.effectiveness.score },
    ]);
  }
  const rows = catalog.map((workflow): LadderRow => {
    const record = byId.get(workflow.id);
    const level = record?.level ?? registerAs;
    return {
      workflow,
      level,
      namespaces: record?.namespaces ?? {},
      effective: inEffect(level),
      namespaceEffective: Object.fromEntries(
        Object.entries(record?.namespaces ?? {}).map(([ns, nsLevel]) => [ns, inEffect(nsLevel)]),
      ),
      changedBy: record?.changedBy,
      changedAt: record?.changedAt,
      reason: record?.reason,
      stats: record?.stats ?? { ...EMPTY_STATS },
      report: report.filter((row) => row.workflowId === workflow.id),
      scores: (scores.get(workflow.id) ?? []).sort((a, b) => a.at.localeCompare(b.at)).slice(-CHART_POINTS),
    };
  });
  return { rows, globalDryRun: config.remediationOrchestrator.dryRun, policy };
}
