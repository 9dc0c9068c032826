import type { ApiTokenConfig } from "@kubernaut/config";
import { Outcome, Phase } from "@kubernaut/core";
import { ApiError, type AuthEnv, apiAuth, parseOrThrow } from "@kubernaut/http";
import { InvalidCursorError, type RemediationStore } from "@kubernaut/store";
import { Hono } from "hono";
import { z } from "zod";

const ListQuery = z
  .object({
    phase: Phase.optional(),
    outcome: Outcome.optional(),
    fingerprint: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "must be a 64-character hex fingerprint")
      .optional(),
    namespace: z.string().min(1).max(253).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(2048).optional(),
  })
  .strict();

const RemediationId = z.string().regex(/^rr-[a-z0-9-]{10,70}$/, "is not a remediation id");

/** `GET /api/v1/remediations` and `GET /api/v1/remediations/{id}` (DESIGN §9), for any viewer. */
export function remediationRoutes(store: RemediationStore, tokens: readonly ApiTokenConfig[]) {
  return new Hono<AuthEnv>()
    .use("/api/v1/remediations", apiAuth(tokens, "viewer"))
    .use("/api/v1/remediations/*", apiAuth(tokens, "viewer"))
    .get("/api/v1/remediations", async (c) => {
      const query = parseOrThrow(ListQuery, c.req.query(), "query");
      try {
        const page = await store.list(query);
        return c.json({ items: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) });
      } catch (error) {
        if (error instanceof InvalidCursorError)
          throw new ApiError(400, "invalid_request", `invalid query: cursor: ${error.message}`);
        throw error;
      }
    })
    .get("/api/v1/remediations/:id", async (c) => {
      const id = parseOrThrow(RemediationId, c.req.param("id"), "remediation id");
      const found = await store.timeline(id);
      if (!found) throw new ApiError(404, "not_found", `remediation ${id} does not exist`);
      return c.json({ remediation: found.remediation, timeline: found.audit });
    });
}
