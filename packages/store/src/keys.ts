/** Key builders, so the table layout documented in table.ts lives in one place. */
export const keys = {
  remediation: (id: string) => ({ pk: `RR#${id}`, sk: "RR" }),
  remediationAudit: (id: string, seq: number) => ({ pk: `RR#${id}`, sk: `AUDIT#${pad(seq)}` }),
  /** The investigation's bulky evidence, written once beside the remediation (issue 22). */
  remediationEvidence: (id: string) => ({ pk: `RR#${id}`, sk: "EVIDENCE" }),
  fingerprintPartition: (fingerprint: string) => `FP#${fingerprint}`,
  fingerprintState: (fingerprint: string) => ({ pk: `FP#${fingerprint}`, sk: "STATE" }),
  hold: (fingerprint: string, kind: string) => ({ pk: `FP#${fingerprint}`, sk: `HOLD#${kind}` }),
  systemAuditPartition: (day: string) => `AUDIT#SYSTEM#${day}`,
  systemAuditHead: (day: string) => ({ pk: `AUDIT#SYSTEM#${day}`, sk: "HEAD" }),
  systemAudit: (day: string, seq: number) => ({ pk: `AUDIT#SYSTEM#${day}`, sk: `AUDIT#${pad(seq)}` }),
};

export const AUDIT_PREFIX = "AUDIT#";
export const HOLD_PREFIX = "HOLD#";

function pad(seq: number): string {
  return seq.toString().padStart(10, "0");
}

export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}
