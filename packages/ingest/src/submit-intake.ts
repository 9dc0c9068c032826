import { type IntakeRequest, newIntakeId } from "@kubernaut/core";
import type { IntakeStore } from "@kubernaut/store";
import { logger, metrics } from "@kubernaut/telemetry";
import type { IntakeStarter } from "./starters";

export type IntakeSubmission =
  | { outcome: "accepted"; request: IntakeRequest }
  /** The idempotency key was used before for a different text. */
  | { outcome: "conflict"; existing: IntakeRequest }
  /** Recorded, but its execution could not be started (the same key retries it). */
  | { outcome: "notStarted"; request: IntakeRequest };

/**
 * Records a natural-language intake request and starts its state machine — one implementation for every
 * door (the API route, A2A). With an idempotency key the id is derived from caller and key, so a
 * resubmission finds the first request instead of interpreting the text twice.
 */
export async function submitIntake(
  deps: { intakes: IntakeStore; starter: IntakeStarter },
  input: {
    text: string;
    cluster?: string | undefined;
    caller: string;
    channel: NonNullable<IntakeRequest["channel"]>;
    idempotencyKey?: string | undefined;
  },
  at: Date,
): Promise<IntakeSubmission> {
  const key = input.idempotencyKey;
  const candidate: IntakeRequest = {
    id: newIntakeId(at, key ? { caller: input.caller, key } : undefined),
    text: input.text,
    ...(input.cluster ? { cluster: input.cluster } : {}),
    submittedBy: input.caller,
    channel: input.channel,
    state: "Received",
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
  };
  const created = await deps.intakes.create(candidate);
  const current = created ? candidate : await deps.intakes.get(candidate.id);
  if (!current) throw new IntakeUnavailableError("the intake request could not be read back; retry");
  if (!created && current.text !== candidate.text) return { outcome: "conflict", existing: current };
  if (current.state === "Received") {
    try {
      await deps.starter.start(current.id);
    } catch (error) {
      logger.warn("could not start the intake execution", { intakeId: current.id, error });
      // With a key the caller's retry starts it; without one nobody can, so say it failed.
      if (!key)
        await deps.intakes
          .advance(current.id, "Failed", { failure: "the intake execution could not be started" }, at)
          .catch(() => undefined);
      return { outcome: "notStarted", request: current };
    }
  }
  if (created)
    metrics.inc("kubernaut_intake_requests_total", "Text intake requests by outcome", {
      outcome: "received",
    });
  return { outcome: "accepted", request: current };
}

/** The request was recorded but could not be read back: the door answers 503 and the caller retries. */
export class IntakeUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IntakeUnavailableError";
  }
}
