import type { ApiTokenConfig } from "@kubernaut/config";
import type { IntakeRequest } from "@kubernaut/core";
import {
  ApiError,
  type AuthEnv,
  apiAuth,
  parseBody,
  parseOrThrow,
  readJsonBody,
  requestChannel,
} from "@kubernaut/http";
import { type IntakeStarter, submitIntake } from "@kubernaut/ingest";
import type { IntakeStore } from "@kubernaut/store";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";

const TextSignalRequest = z
  .object({
    text: z.string().trim().min(10, "describe the problem in at least 10 characters").max(4000),
    /** The cluster the text is about; the default cluster when absent. */
    cluster: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "a cluster name as configured")
      .optional(),
  })
  .strict();

const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{1,128}$/, "1–128 printable ASCII characters");

export interface IntakeRouteDeps {
  /** Both absent, or no model configured: the routes answer 501 saying what to configure. */
  intakes?: IntakeStore;
  starter?: IntakeStarter;
  modelConfigured: boolean;
  now?: () => Date;
}

/**
 * Natural-language intake (DESIGN §9). The HTTP function only records the request and starts the intake
 * state machine — the model call is slow and needs heavy clients, so it never runs here (DESIGN §2).
 * Submitting needs the approver role: a sentence can start a remediation like an alert can.
 */
export function intakeRoutes(deps: IntakeRouteDeps, tokens: readonly ApiTokenConfig[]) {
  const now = () => deps.now?.() ?? new Date();
  const enabled = () => {
    if (!deps.modelConfigured || !deps.intakes || !deps.starter)
      throw new ApiError(
        501,
        "not_implemented",
        "natural-language intake needs a language model: configure aianalysis.llm (provider, model, and baseUrl for openai-compatible)",
      );
    return { intakes: deps.intakes, starter: deps.starter };
  };
  return new Hono<AuthEnv>()
    .post(
      "/api/v1/signals/text",
      apiAuth(tokens, "approver"),
      bodyLimit({
        maxSize: 16 * 1024,
        onError: () => {
          throw new ApiError(
            413,
            "payload_too_large",
            "body exceeds 16384 bytes; the text is limited to 4000",
          );
        },
      }),
      async (c) => {
        const { intakes, starter } = enabled();
        const input = parseBody(TextSignalRequest, await readJsonBody(c), "text signal", {
          text: "checkout pods in staging keep restarting since the 14:00 deploy",
        });
        const keyHeader = c.req.header("idempotency-key");
        const key =
          keyHeader === undefined ? undefined : parseOrThrow(IdempotencyKey, keyHeader, "Idempotency-Key");
        const submission = await submitIntake(
          { intakes, starter },
          {
            text: input.text,
            cluster: input.cluster,
            caller: c.get("caller").name,
            channel: requestChannel(c.req.header("x-kubernaut-channel")),
            idempotencyKey: key,
          },
          now(),
        );
        if (submission.outcome === "conflict")
          throw new ApiError(
            409,
            "conflict",
            `Idempotency-Key ${key} was used for a different text (intake ${submission.existing.id})`,
          );
        if (submission.outcome === "notStarted")
          throw new ApiError(
            503,
            "unavailable",
            key
              ? "the intake execution could not be started; retry with the same Idempotency-Key"
              : "the intake execution could not be started; retry",
          );
        return c.json(view(submission.request), 202);
      },
    )
    .get("/api/v1/intake/:id", apiAuth(tokens, "viewer"), async (c) => {
      const { intakes } = enabled();
      const id = c.req.param("id");
      const request = /^in-[a-z0-9-]{1,64}$/.test(id) ? await intakes.get(id) : undefined;
      if (!request) throw new ApiError(404, "not_found", `intake ${id} does not exist`);
      return c.json(view(request));
    });
}

/** The request as the API shows it, with the remediation it led to at the top. */
function view(request: IntakeRequest) {
  return {
    intakeId: request.id,
    remediationId: request.ingest?.remediationId ?? null,
    ...request,
    links: {
      self: `/api/v1/intake/${request.id}`,
      ...(request.ingest?.remediationId
        ? { remediation: `/api/v1/remediations/${request.ingest.remediationId}` }
        : {}),
    },
  };
}
