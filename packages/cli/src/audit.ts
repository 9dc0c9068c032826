import { type AuditEvent, verifyAuditChain } from "@kubernaut/core";
import { apiTarget, call, positional } from "./http";

/** `kubernaut audit verify ID`: re-computes a remediation's hash chain and names the first broken link. */
export async function auditCommand(args: string[], out: (line: string) => void): Promise<number> {
  const [sub, ...rest] = args;
  const [id] = positional(rest);
  if (sub !== "verify" || !id) {
    out("usage: kubernaut audit verify REMEDIATION_ID");
    return 2;
  }
  const { timeline } = await call<{ timeline: AuditEvent[] }>(
    apiTarget(rest),
    "GET",
    `/api/v1/remediations/${id}`,
  );
  const result = verifyAuditChain(timeline);
  if (result.ok) {
    out(`${id}: ${timeline.length} audit events, chain intact (head ${timeline.at(-1)?.hash ?? "-"})`);
    return 0;
  }
  out(`${id}: audit chain BROKEN at event ${result.seq}: ${result.problem}`);
  return 1;
}
