import type { RemediationRequest } from "./remediation";
import type { TrustLevel } from "./trust-ladder";

export interface GraduationThresholds {
  minAssessed: number;
  minFullShare: number;
  minMeanScore: number;
  minApprovalsInRow: number;
  recentFailure: number;
}

export interface GraduationRow {
  workflowId: string;
  /** The workflow version these remediations ran (analysed) with; trust is earned per version. */
  version?: string;
  /** A newer version has replaced this one: its evidence is history, not a case for graduating. */
  supersededBy?: string;
  namespace: string;
  level: TrustLevel;
  remediations: number;
  dryRuns: number;
  assessed: number;
  fullShare: number;
  meanScore: number;
  approvals: number;
  rejections: number;
  approvalsInRow: number;
  lastFailure?: { at: string; reason: string };
  sensitiveTargets: string[];
  recommendation: "graduate" | "stay" | "demote";
  recommendedLevel: TrustLevel;
  evidence: string[];
}

const SENSITIVE_KINDS = new Set(["Node", "StatefulSet"]);

/**
 * The graduation report (DESIGN §9): per workflow and namespace, what the remediations show, and a
 * recommendation with its evidence, using the seed's graduation signals — consistent Full assessments
 * with high scores, repeated approvals without rejection, non-sensitive targets. Pure: it reads the
 * remediations and the current levels, and decides nothing on its own (graduating is the PATCH it
 * proposes).
 */
export function graduationReport(
  remediations: readonly RemediationRequest[],
  levelOf: (workflowId: string, namespace: string) => TrustLevel,
  thresholds: GraduationThresholds,
  now: Date,
  /** The version each workflow's trust level was given to (its record's), when known. */
  currentVersion: (workflowId: string) => string | undefined = () => undefined,
): GraduationRow[] {
  const groups = new Map<string, RemediationRequest[]>();
  for (const rr of remediations) {
    const workflowId = rr.workflowExecution?.workflowId ?? rr.analysis?.workflowId;
    if (!workflowId) continue;
    const version = rr.workflowExecution?.workflowVersion ?? rr.analysis?.workflowVersion ?? "";
    const key = `${workflowId}\u0000${version}\u0000${rr.targetResource.namespace ?? ""}`;
    groups.set(key, [...(groups.get(key) ?? []), rr]);
  }
  const rows: GraduationRow[] = [];
  for (const [key, group] of groups) {
    const [workflowId, version, namespace] = key.split("\u0000") as [string, string, string];
    const current = currentVersion(workflowId);
    const supersededBy = version && current && current !== version ? current : undefined;
    const sorted = [...group].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    // Only a score is evidence: an assessment that measured nothing (score null) is not counted.
    const assessed = sorted.filter((rr) => typeof rr.effectiveness?.score === "number");
    const full = assessed.filter((rr) => rr.effectiveness?.reason === "Full").length;
    const meanScore = assessed.length
      ? assessed.reduce((s, rr) => s + (rr.effectiveness?.score ?? 0), 0) / assessed.length
      : 0;
    const decisions = sorted.filter(
      (rr) => rr.approvalDecision?.decision === "Approved" || rr.approvalDecision?.decision === "Rejected",
    );
    let approvalsInRow = 0;
    for (const rr of decisions) {
      if (rr.approvalDecision?.decision !== "Approved") break;
      approvalsInRow++;
    }
    const failures = sorted.filter(
      (rr) =>
        (rr.phase === "Failed" && rr.failurePhase !== "Approval") ||
        (typeof rr.effectiveness?.score === "number" && rr.effectiveness.score < 0.5),
    );
    const lastFailure = failures[0]
      ? {
          at: failures[0].completedAt ?? failures[0].updatedAt,
          reason: failures[0].effectiveness?.reason ?? failures[0].reason ?? "failed",
        }
      : undefined;
    const recentFailure =
      lastFailure !== undefined && now.getTime() - Date.parse(lastFailure.at) < thresholds.recentFailure;
    const sensitiveTargets = [
      ...new Set(
        sorted
          .filter((rr) => SENSITIVE_KINDS.has(rr.targetResource.kind))
          .map((rr) => `${rr.targetResource.kind}/${rr.targetResource.name}`),
      ),
    ];
    const level = levelOf(workflowId, namespace);
    const fullShare = assessed.length ? full / assessed.length : 0;
    const row: Omit<GraduationRow, "recommendation" | "recommendedLevel" | "evidence"> = {
      workflowId,
      ...(version ? { version } : {}),
      ...(supersededBy ? { supersededBy } : {}),
      namespace,
      level,
      remediations: sorted.filter((rr) => rr.workflowExecution).length,
      dryRuns: sorted.filter((rr) => rr.outcome === "DryRun").length,
      assessed: assessed.length,
      fullShare: round(fullShare),
      meanScore: round(meanScore),
      approvals: decisions.filter((rr) => rr.approvalDecision?.decision === "Approved").length,
      rejections: decisions.filter((rr) => rr.approvalDecision?.decision === "Rejected").length,
      approvalsInRow,
      ...(lastFailure ? { lastFailure } : {}),
      sensitiveTargets,
    };
    const evidence: string[] = [];
    let recommendation: GraduationRow["recommendation"] = "stay";
    let recommendedLevel = level;
    if (supersededBy) {
      // The level belongs to the version that replaced this one, which earns its own trust.
      evidence.push(`version ${version} was replaced by ${supersededBy}, which starts its own record`);
    } else if (level === "automate" && (recentFailure || (assessed.length > 0 && meanScore < 0.5))) {
      recommendation = "demote";
      recommendedLevel = "approve";
      if (recentFailure) evidence.push(`failed recently (${lastFailure?.reason} at ${lastFailure?.at})`);
      if (assessed.length > 0 && meanScore < 0.5)
        evidence.push(`mean effectiveness ${round(meanScore)} < 0.5`);
    } else if (level === "observe") {
      const enough = row.dryRuns >= thresholds.minAssessed;
      evidence.push(
        `${row.dryRuns} dry run(s) to review${enough ? "" : ` (${thresholds.minAssessed} suggested before graduating)`}`,
      );
      if (enough) {
        recommendation = "graduate";
        recommendedLevel = "approve";
      }
    } else if (level === "approve") {
      const checks: Array<[boolean, string]> = [
        [
          assessed.length >= thresholds.minAssessed,
          `${assessed.length} assessed remediation(s) (≥ ${thresholds.minAssessed})`,
        ],
        [
          fullShare >= thresholds.minFullShare,
          `${Math.round(fullShare * 100)} % Full assessments (≥ ${Math.round(thresholds.minFullShare * 100)} %)`,
        ],
        [
          meanScore >= thresholds.minMeanScore,
          `mean score ${round(meanScore)} (≥ ${thresholds.minMeanScore})`,
        ],
        [
          approvalsInRow >= thresholds.minApprovalsInRow,
          `${approvalsInRow} approval(s) in a row without a rejection (≥ ${thresholds.minApprovalsInRow})`,
        ],
        [!recentFailure, recentFailure ? `a recent failure (${lastFailure?.reason})` : "no recent failure"],
        [
          sensitiveTargets.length === 0,
          sensitiveTargets.length
            ? `sensitive targets: ${sensitiveTargets.join(", ")}`
            : "no sensitive targets",
        ],
      ];
      for (const [ok, text] of checks) evidence.push(`${ok ? "✓" : "✗"} ${text}`);
      if (checks.every(([ok]) => ok)) {
        recommendation = "graduate";
        recommendedLevel = "automate";
      }
    }
    rows.push({ ...row, recommendation, recommendedLevel, evidence });
  }
  return rows.sort(
    (a, b) =>
      a.workflowId.localeCompare(b.workflowId) ||
      (a.version ?? "").localeCompare(b.version ?? "", undefined, { numeric: true }) ||
      a.namespace.localeCompare(b.namespace),
  );
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
