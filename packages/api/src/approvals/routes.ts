import {
  auditRefusedDecision,
  type DecisionDeps,
  decideApproval,
  publicApproval,
} from "@kubernaut/approvals";
import type { ApiTokenConfig } from "@kubernaut/config";
import { ApiError, type AuthEnv, apiAuth, parseOrThrow, requestChannel } from "@kubernaut/http";
import { Hono } from "hono";
import { z } from "zod";

const ListQuery = z
  .object({
    decision: z.enum(["pending", "Approved", "Rejected", "Expired"]).default("pending"),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

const ApprovalId = z.string().regex(/^rar-[a-z0-9-]{10,70}$/, "is not an approval request id");

/** `GET /api/v1/approvals` (viewer) and `POST /api/v1/approvals/{id}/decision` (approver in scope). */
export function approvalRoutes(deps: DecisionDeps, tokens: readonly ApiTokenConfig[]) {
  return (
    new Hono<AuthEnv>()
      .get("/api/v1/approvals", apiAuth(tokens, "viewer"), async (c) => {
        const query = parseOrThrow(ListQuery, c.req.query(), "query");
        const now = (deps.now?.() ?? new Date()).getTime();
        const items = await deps.approvals.list(
          query.decision === "pending" ? "Pending" : query.decision,
          query.limit,
        );
        // A pending request past its deadline is expired in effect, even before anyone records it.
        const visible =
          query.decision === "pending" ? items.filter((a) => Date.parse(a.requiredBy) > now) : items;
        return c.json({ items: visible.map(publicApproval) });
      })
      // Authenticated at viewer, so that a viewer's attempt is refused here with an audit event (DESIGN
      // §4: unauthorised decisions are audited), not silently by the role check of the middleware.
      .post("/api/v1/approvals/:id/decision", apiAuth(tokens, "viewer"), async (c) => {
        const id = parseOrThrow(ApprovalId, c.req.param("id"), "approval request id");
        const caller = c.get("caller");
        const channel = requestChannel(c.req.header("x-kubernaut-channel"));
        if (caller.role === "viewer") {
          await auditRefusedDecision(deps, caller, channel, deps.now?.() ?? new Date(), {
            approvalRequestId: id,
          });
          throw new ApiError(403, "forbidden", `token "${caller.name}" has role viewer; this needs approver`);
        }
        let body: unknown;
        try {
          body = await c.req.json();
        } catch {
          body = undefined;
        }
        const result = await decideApproval(deps, { id, caller, channel, body });
        return c.json(result);
      })
  );
}
