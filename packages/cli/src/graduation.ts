import { apiTarget, call } from "./http";

interface Row {
  workflowId: string;
  namespace: string;
  level: string;
  assessed: number;
  fullShare: number;
  meanScore: number;
  approvalsInRow: number;
  rejections: number;
  recommendation: string;
  recommendedLevel: string;
  evidence: string[];
  action?: { method: string; path: string; body: unknown };
}

/** `kubernaut graduation`: the report, and the command that acts on each recommendation. */
export async function graduationCommand(args: string[], out: (line: string) => void): Promise<number> {
  const target = apiTarget(args);
  const { items } = await call<{ items: Row[] }>(target, "GET", "/api/v1/graduation");
  if (items.length === 0) out("no remediations yet: nothing to graduate");
  for (const row of items) {
    out(
      `${row.workflowId} in ${row.namespace || "(cluster)"}: ${row.level} → ${row.recommendation === "stay" ? "stay" : `${row.recommendation} to ${row.recommendedLevel}`}` +
        `  (${row.assessed} assessed, ${Math.round(row.fullShare * 100)} % Full, mean ${row.meanScore}, ${row.approvalsInRow} approvals in a row, ${row.rejections} rejections)`,
    );
    for (const line of row.evidence) out(`    ${line}`);
    if (row.action) {
      out(
        `    act: curl -X ${row.action.method} ${target.url}${row.action.path} -H 'Authorization: Bearer $KUBERNAUT_TOKEN' -H 'Content-Type: application/json' -d '${JSON.stringify(row.action.body).replace(/'/g, "'\\''")}'`,
      );
    }
  }
  return 0;
}
