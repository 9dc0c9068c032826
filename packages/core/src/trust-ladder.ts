import type { Level } from "./graduation";

/**
 * Where the trust ladder stands, in the words DESIGN §1 uses: what actually happens to a remediation of
 * a workflow in a namespace, given the global dry-run switch, the workflow's trust level there and
 * whether an approval policy is usable. Shown by `npm start`, the console and the CLI, so all three say
 * the same thing.
 */

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
export function effectiveMode(globalDryRun: boolean, level: Level, policy: LadderPolicy): EffectiveMode {
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
  level: Level;
  /** Per-namespace levels that differ from the workflow's own. */
  namespaces: Readonly<Record<string, Level>>;
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
  const byLevel: Record<Level, string[]> = { observe: [], approve: [], automate: [] };
  let highest: 1 | 2 | 3 | 4 = 2;
  for (const workflow of input.workflows) {
    const scopes: Array<[string, Level]> = [
      [workflow.id, workflow.level],
      ...Object.entries(workflow.namespaces).map(([ns, level]): [string, Level] => [
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
