import { readFileSync } from "node:fs";
import { apiTarget, call, option, positional } from "./http";

interface Approval {
  id: string;
  remediationId: string;
  environment: string;
  namespace?: string;
  workflowId?: string;
  confidence: number;
  reason: string;
  requiredBy: string;
  decision?: string;
}

export async function approvalsCommand(args: string[], out: (line: string) => void): Promise<number> {
  const [sub, ...rest] = args;
  const target = apiTarget(rest);
  switch (sub) {
    case "list": {
      const decision = option(rest, "--decision") ?? "pending";
      const { items } = await call<{ items: Approval[] }>(
        target,
        "GET",
        `/api/v1/approvals?decision=${encodeURIComponent(decision)}`,
      );
      if (items.length === 0) out(`no ${decision} approval requests`);
      for (const a of items) {
        const left = Math.round((Date.parse(a.requiredBy) - Date.now()) / 60_000);
        out(
          `${a.id}  ${a.environment}/${a.namespace ?? "-"}  ${a.workflowId ?? "-"}  confidence ${a.confidence.toFixed(2)}  ${a.decision ?? `${left} min left`}  (${a.reason})`,
        );
      }
      return 0;
    }
    case "approve":
    case "reject": {
      const [id] = positional(rest);
      if (!id) {
        out(
          `usage: kubernaut approvals ${sub} ID ${sub === "approve" ? "[--override FILE.json]" : "--message TEXT"}`,
        );
        return 2;
      }
      const message = option(rest, "--message");
      const overrideFile = option(rest, "--override");
      if (sub === "reject" && !message) {
        out("a rejection needs --message: the reason is kept in the audit trail");
        return 2;
      }
      const body = {
        decision: sub === "approve" ? "Approved" : "Rejected",
        ...(message ? { message } : {}),
        ...(overrideFile
          ? { workflowOverride: JSON.parse(readFileSync(overrideFile, "utf8")) as unknown }
          : {}),
      };
      const result = await call<{ approval: Approval; delivered: boolean }>(
        target,
        "POST",
        `/api/v1/approvals/${id}/decision`,
        body,
      );
      out(
        `${result.approval.id}: ${result.approval.decision}${result.delivered ? "; the remediation resumes" : "; recorded, delivery to the execution is pending"}`,
      );
      return 0;
    }
    default:
      out(
        "usage: kubernaut approvals list [--decision pending|Approved|Rejected|Expired] | approve ID [--override FILE] | reject ID --message TEXT",
      );
      return 2;
  }
}
