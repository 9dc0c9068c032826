import { randomBytes } from "node:crypto";

/**
 * Remediation ids sort by creation time and carry the fingerprint's prefix, so an id in a log line is
 * enough to find its fingerprint partition by eye. The Step Functions execution name is the id itself
 * (≤ 80 chars, `[A-Za-z0-9-_]`), which makes a repeated StartExecution idempotent.
 */
export function newRemediationId(fingerprint: string, now: Date): string {
  const time = now.getTime().toString(36).padStart(9, "0");
  return `rr-${time}-${fingerprint.slice(0, 12)}-${randomBytes(3).toString("hex")}`;
}

export function executionNameFor(remediationId: string): string {
  return remediationId;
}
