import type { ClusterAccess } from "@kubernaut/cluster";
import type { IntakeRequest } from "@kubernaut/core";
import { type IngestDeps, ingestSignal } from "@kubernaut/ingest";
import { type Budget, type ChatModel, ModelError } from "@kubernaut/llm";
import { type IntakeStore, isTransientError } from "@kubernaut/store";
import { logger, metrics } from "@kubernaut/telemetry";
import { z } from "zod";
import type { IntakeFunction } from "./definition";
import { interpretText, toSignal } from "./interpret";

/** The intake's budget: the investigation's limits (`aianalysis.llm.budget`), or their defaults. */
export function intakeBudget(
  budget: Omit<Budget, "maxMs"> & { maxDuration: number } = {
    maxTurns: 8,
    maxToolCalls: 12,
    maxTokens: 60_000,
    maxDuration: 120_000,
    outputLimit: 8_000,
    corrections: 3,
  },
): Budget {
  const { maxDuration, ...rest } = budget;
  return { ...rest, maxMs: maxDuration };
}

export interface IntakeDeps {
  intakes: IntakeStore;
  /** The intake model; absent, an intake fails with the reason (the API answers 501 before this). */
  model: () => ChatModel | undefined;
  /** The cluster a request names (or the default); absent, the model works from the text alone. */
  cluster?: (name: string | undefined) => Promise<ClusterAccess | undefined>;
  budget: () => Budget;
  /** The ingest logic of the webhook, with its store and the remediation starter. */
  ingest: IngestDeps;
  now?: () => Date;
}

/** Retried by the state machine's Retry (DynamoDB hiccups, a contended fingerprint). */
class TransientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TransientError";
  }
}

const Payload = z.object({ intakeId: z.string().min(1) }).passthrough();
const FailurePayload = Payload.extend({
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).passthrough(),
});

/**
 * The intake machine's tasks. Each reads the request and refuses to move it out of a final state, so a
 * retried task or a second execution does nothing twice; Submit is safe to repeat because ingest
 * dedups (a repeat finds the remediation the first one created).
 */
export function createIntakeHandlers(
  deps: IntakeDeps,
): Record<IntakeFunction, (payload: unknown) => Promise<unknown>> {
  const now = () => deps.now?.() ?? new Date();
  const load = async (payload: unknown): Promise<IntakeRequest> => {
    const { intakeId } = Payload.parse(payload);
    const request = await deps.intakes.get(intakeId);
    if (!request) throw new Error(`intake ${intakeId} does not exist`);
    return request;
  };
  const fail = async (request: IntakeRequest, failure: string, extra: Partial<IntakeRequest> = {}) => {
    await deps.intakes.advance(request.id, "Failed", { ...extra, failure }, now());
    metrics.inc("kubernaut_intake_requests_total", "Text intake requests by outcome", { outcome: "failed" });
    logger.info("intake failed", { intakeId: request.id, failure });
    return { state: "Failed" };
  };

  return {
    "intake-interpret": transient(async (payload) => {
      const request = await load(payload);
      if (request.state === "Submitted" || request.state === "Failed") return { state: request.state };
      // A retry after the answer was recorded goes straight on to Submit.
      if (request.signal) return { state: "Interpreting" };
      const model = deps.model();
      if (!model) return fail(request, "no language model is configured (aianalysis.llm)");
      await deps.intakes.advance(request.id, "Interpreting", {}, now());
      let interpretation: Awaited<ReturnType<typeof interpretText>>;
      try {
        const cluster = await deps.cluster?.(request.cluster);
        interpretation = await interpretText(model, request, cluster, deps.budget());
      } catch (error) {
        if (error instanceof ModelError) return fail(request, `the model failed: ${error.message}`);
        throw error;
      }
      recordUsage(interpretation.usage);
      if (!interpretation.ok)
        return fail(request, `the text could not be turned into a signal: ${interpretation.problem}`, {
          usage: interpretation.usage,
        });
      await deps.intakes.advance(
        request.id,
        "Interpreting",
        { signal: toSignal(request, interpretation.answer), usage: interpretation.usage },
        now(),
      );
      return { state: "Interpreting" };
    }),

    "intake-submit": transient(async (payload) => {
      const request = await load(payload);
      if (request.state !== "Interpreting" || !request.signal) return { state: request.state };
      const result = await ingestSignal(deps.ingest, {
        status: "firing",
        signal: request.signal,
        actor: {
          type: request.channel === "a2a" ? "service" : "user",
          id: request.submittedBy,
          channel: request.channel ?? "api",
        },
      });
      // A retry after a crash between ingest and the write below finds its own remediation: still "created".
      const own =
        result.status === "deduplicated" &&
        result.remediationId !== null &&
        (await deps.ingest.store.get(result.remediationId))?.signal.annotations.intakeId === request.id;
      const ingest = {
        status: own ? "created" : result.status,
        remediationId: result.remediationId,
        fingerprint: result.fingerprint,
        ...(result.reason ? { reason: result.reason } : {}),
      };
      if (result.status === "rejected")
        return fail(request, `ingest rejected the signal: ${result.reason ?? "no reason"}`, { ingest });
      await deps.intakes.advance(request.id, "Submitted", { ingest }, now());
      metrics.inc("kubernaut_intake_requests_total", "Text intake requests by outcome", {
        outcome: result.status,
      });
      return { state: "Submitted", remediationId: result.remediationId };
    }),

    "intake-failed": transient(async (payload) => {
      const { intakeId, error } = FailurePayload.parse(payload);
      const request = await deps.intakes.get(intakeId);
      if (!request) return { state: "Failed" };
      return fail(request, `${error.Error ?? "Error"}: ${error.Cause ?? "no cause"}`);
    }),
  };
}

function transient(run: (payload: unknown) => Promise<unknown>) {
  return async (payload: unknown): Promise<unknown> => {
    try {
      return await run(payload);
    } catch (error) {
      if (isTransientError(error) || (error instanceof Error && error.name === "IngestContentionError"))
        throw new TransientError((error as Error).message);
      throw error;
    }
  };
}

function recordUsage(usage: { inputTokens: number; outputTokens: number; latencyMs: number }) {
  const labels = { investigator: "intake" };
  for (const direction of ["input", "output"] as const)
    metrics.inc(
      "kubernaut_aianalysis_llm_tokens_total",
      "Model tokens, by direction",
      { ...labels, direction },
      direction === "input" ? usage.inputTokens : usage.outputTokens,
    );
  metrics.inc(
    "kubernaut_aianalysis_llm_latency_ms_total",
    "Time spent waiting for the model",
    labels,
    usage.latencyMs,
  );
}
