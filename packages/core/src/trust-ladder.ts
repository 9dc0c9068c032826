import { z } from "zod";

/**
 * The trust ladder (DESIGN §1), in one place: the levels a workflow can sit at, where a new one starts,
 * which level applies in a namespace, when a remediation ends DryRun (Levels 1 and 2) and why, and what
 * actually happens to a remediation of a workflow given the global dry-run switch, the workflow's level
 * and whether an approval policy is usable. The pipeline, the API, the console, the CLI and `npm start`
 * all decide and describe the ladder through these functions, so they all say the same thing.
 */

/** A workflow's trust level (whole, or in one namespace), as the policy input names it. */
export const TrustLevel = z.enum(["observe", "approve", "automate"]);
export type TrustLevel = z.infer<typeof TrustLevel>;
/** The levels, lowest first: graduating moves right, demoting left. */
export const TRUST_LEVELS: readonly TrustLevel[] = TrustLevel.options;

/** The ladder's switches in the configuration (`remediationOrchestrator`). */
export interface LadderSettings {
  /** Level 1: everything ends DryRun. */
  dryRun: boolean;
  /** Level 2: a newly registered workflow starts at `observe` until graduated. */
  newWorkflowsDryRun: boolean;
}

/**
 * Where a workflow starts the first time it is seen: `observe` while `newWorkflowsDryRun` is on (it runs
 * dry until someone graduates it), otherwise `approve` (the policy decides).
 */
export function initialLevel(settings: Pick<LadderSettings, "newWorkflowsDryRun">): TrustLevel {
  return settings.newWorkflowsDryRun ? "observe" : "approve";
}

/** A workflow's recorded levels: its own, and the namespaces that differ from it. */
export interface WorkflowLevels {
  level: TrustLevel;
  namespaces: Readonly<Record<string, TrustLevel>>;
}

/** The level that applies in a namespace: a namespace override, else the workflow's. */
export function effectiveLevel(record: WorkflowLevels, namespace: string | undefined): TrustLevel {
  return (namespace ? record.namespaces[namespace] : undefined) ?? record.level;
}

/**
 * The Level 1/2 routing decision: a remediation ends DryRun when everything is dry (Level 1) or its
 * workflow is still at `observe` where it would run (Level 2). Without a selected workflow only Level 1
 * applies.
 */
export function endsDryRun(settings: Pick<LadderSettings, "dryRun">, level: TrustLevel | undefined): boolean {
  return settings.dryRun || level === "observe";
}

/**
 * Why a remediation ended DryRun, as its `reason` says:
 * "Level 2 (selective trust): restart-pod-v1 is at observe in production".
 */
export function dryRunReason(
  settings: Pick<LadderSettings, "dryRun">,
  scope: { workflowId: string | undefined; namespace: string | undefined },
): string {
  return settings.dryRun
    ? "Level 1 (observe): remediationOrchestrator.dryRun is on"
    : `Level 2 (selective trust): ${scope.workflowId} is at observe in ${scope.namespace ?? "this scope"}`;
}

/** The approval policy as far as the ladder is concerned. */
export interface LadderPolicy {
  /** `aianalysis.rego.policy` names a file. */
  configured: boolean;
  /** It loaded (a broken or missing file is not usable: decisions are degraded, approval required). */
  usable: boolean;
}

export type EffectiveMode =
  | { mode: "dryRun"; because: "global" | "observe"; ladder: 1 | 2 }
  | { mode: "approval"; because: "noPolicy" | "policyUnusable"; ladder: 3 }
  | { mode: "policy"; level: "approve" | "automate"; ladder: 3 | 4 };

/** What happens to a remediation of a workflow at `level`. */
export function effectiveMode(globalDryRun: boolean, level: TrustLevel, policy: LadderPolicy): EffectiveMode {
  if (globalDryRun) return { mode: "dryRun", because: "global", ladder: 1 };
  if (level === "observe") return { mode: "dryRun", because: "observe", ladder: 2 };
  if (!policy.configured) return { mode: "approval", because: "noPolicy", ladder: 3 };
  if (!policy.usable) return { mode: "approval", because: "policyUnusable", ladder: 3 };
  return { mode: "policy", level, ladder: level === "automate" ? 4 : 3 };
}

/** The mode in a short sentence: "dry run (Level 1: remediationOrchestrator.dryRun is on)". */
export function describeMode(mode: EffectiveMode): string {
  switch (mode.mode) {
    case "dryRun":
      return mode.because === "global"
        ? "dry run (Level 1: remediationOrchestrator.dryRun is on)"
        : "dry run (Level 2: at observe)";
    case "approval":
      return mode.because === "noPolicy"
        ? "asks for approval (no approval policy configured)"
        : "asks for approval (the approval policy is unusable: degraded)";
    case "policy":
      return mode.level === "automate"
        ? "runs when the policy allows (Level 4: automate)"
        : "the policy decides, approval expected (Level 3: approve)";
  }
}

export interface LadderWorkflow {
  id: string;
  level: TrustLevel;
  /** Per-namespace levels that differ from the workflow's own. */
  namespaces: Readonly<Record<string, TrustLevel>>;
}

/**
 * The ladder in force, for the start-up banner and `kubernaut trust show`: a headline with the
 * highest level anything can reach, then which workflows sit where.
 *
 * @example ladderSummary({ dryRun: true, workflows, policy }).headline // "Level 1 (observe): …"
 */
export function ladderSummary(input: {
  dryRun: boolean;
  workflows: readonly LadderWorkflow[];
  policy: LadderPolicy;
}): { level: 1 | 2 | 3 | 4; headline: string; lines: string[] } {
  if (input.dryRun) {
    return {
      level: 1,
      headline:
        "Level 1 (observe): remediationOrchestrator.dryRun is true, so every remediation ends DryRun with what it would have done",
      lines: [],
    };
  }
  const byLevel: Record<TrustLevel, string[]> = { observe: [], approve: [], automate: [] };
  let highest: 1 | 2 | 3 | 4 = 2;
  for (const workflow of input.workflows) {
    const scopes: Array<[string, TrustLevel]> = [
      [workflow.id, workflow.level],
      ...Object.entries(workflow.namespaces).map(([ns, level]): [string, TrustLevel] => [
        `${workflow.id} in ${ns}`,
        level,
      ]),
    ];
    for (const [name, level] of scopes) {
      byLevel[level].push(name);
      const reach = effectiveMode(false, level, input.policy).ladder;
      if (reach > highest) highest = reach;
    }
  }
  const list = (names: string[]) => (names.length ? names.join(", ") : "none");
  const policy = !input.policy.configured
    ? "no approval policy configured: whatever is not at observe asks for approval"
    : input.policy.usable
      ? "the approval policy decides for approve and automate"
      : "the approval policy is unusable: whatever is not at observe asks for approval (degraded)";
  const names = { 1: "observe", 2: "selective trust", 3: "approve", 4: "automate" } as const;
  return {
    level: highest,
    headline: `Level ${highest} (${names[highest]}) at most, by workflow; ${policy}`,
    lines: [
      `observe (dry run): ${list(byLevel.observe)}`,
      `approve: ${list(byLevel.approve)}`,
      `automate: ${list(byLevel.automate)}`,
    ],
  };
}
