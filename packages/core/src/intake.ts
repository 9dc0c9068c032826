import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { Signal } from "./remediation";

/**
 * Natural-language intake (DESIGN §2, §9): a sentence from a person or another agent ("payments pods in
 * prod keep restarting since the last deploy") becomes a structured signal through the model, and that
 * signal goes through the same ingest logic as an Alertmanager alert — so both dedup onto one
 * remediation.
 *
 * Received → Interpreting → Submitted (with the remediation it created or joined), or Failed with the
 * reason (the model could not name a workload, the model was down, the workload does not exist).
 */
export const IntakeState = z.enum(["Received", "Interpreting", "Submitted", "Failed"]);
export type IntakeState = z.infer<typeof IntakeState>;

export const IntakeRequest = z.object({
  id: z.string(),
  text: z.string(),
  /** Which cluster the text is about, when the caller said so (else the default cluster). */
  cluster: z.string().optional(),
  submittedBy: z.string(),
  /** Where it was submitted (the audit record's channel); the API when absent. */
  channel: z.enum(["api", "cli", "mcp", "console", "a2a"]).optional(),
  state: IntakeState,
  /** The structured signal the model produced (what ingest received). */
  signal: Signal.optional(),
  /** What ingest did with it: created, deduplicated, held, rejected. */
  ingest: z
    .object({
      status: z.string(),
      remediationId: z.string().nullable(),
      fingerprint: z.string().nullable(),
      reason: z.string().optional(),
    })
    .optional(),
  failure: z.string().optional(),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number(), latencyMs: z.number() }).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type IntakeRequest = z.infer<typeof IntakeRequest>;

/**
 * Intake ids are also the intake execution's name. With an Idempotency-Key the id is derived from the
 * caller and key, so a retried submission finds the first one instead of interpreting the text twice.
 */
export function newIntakeId(now: Date, idempotency?: { caller: string; key: string }): string {
  if (idempotency) {
    const digest = createHash("sha256").update(`${idempotency.caller}\n${idempotency.key}`).digest("hex");
    return `in-${digest.slice(0, 32)}`;
  }
  return `in-${now.getTime().toString(36).padStart(9, "0")}-${randomBytes(6).toString("hex")}`;
}
