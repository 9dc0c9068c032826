import type { ApiTokenConfig } from "@kubernaut/config";
import { effectiveLevel, graduationReport } from "@kubernaut/core";
import {
  ApiError,
  type AuthEnv,
  apiAuth,
  parseBody,
  parseOrThrow,
  readJsonBody,
  requestChannel,
} from "@kubernaut/http";
import type { RemediationStore, SuggestionStore } from "@kubernaut/store";
import {
  catalogWithRegistered,
  changeTrustLevel,
  registerLevel,
  registerWorkflow,
  setPaused,
  type TrustActionDeps,
  TrustChange,
} from "@kubernaut/trust";
import { Hono } from "hono";
import { z } from "zod";

/** The trust ladder's actions' dependencies, plus what the routes read beside them. */
export interface TrustDeps extends TrustActionDeps {
  store: RemediationStore;
  /** Suggestions and the workflows registered from them; absent, their routes are not mounted. */
  suggestions?: SuggestionStore;
}

const PauseBody = z.object({ reason: z.string().min(1).max(2000) }).strict();

/** What each body looks like, shown when one is missing or malformed. */
export const BODY_EXAMPLES = {
  trust: { level: "automate", namespaces: ["staging"], reason: "graduation report: 5 assessed, all Full" },
  release: { reason: "fixed the ConfigMap by hand; let the next alert through" },
  pause: { reason: "cluster upgrade in progress" },
} as const;

/**
 * The trust ladder's controls (DESIGN §9): the catalog with trust levels and statistics; graduating
 * or demoting a workflow (whole or per namespace); the kill switch. Every change is an admin action
 * recorded in the system audit stream with its actor and reason.
 */
export function trustRoutes(deps: TrustDeps, tokens: readonly ApiTokenConfig[]) {
  const registerAs = () => registerLevel(deps);
  const now = () => deps.now?.() ?? new Date();
  return new Hono<AuthEnv>()
    .get("/api/v1/workflows", apiAuth(tokens, "viewer"), async (c) => {
      const items = await Promise.all(
        (await catalogWithRegistered(deps)).map(async (workflow) => {
          const record = await deps.trust.get(workflow.id, registerAs());
          return {
            ...workflow,
            trust: {
              level: record.level,
              namespaces: record.namespaces,
              changedBy: record.changedBy,
              changedAt: record.changedAt,
              reason: record.reason,
            },
            stats: record.stats,
          };
        }),
      );
      const config = deps.config();
      // What decides besides each workflow's level, so a client can say which rung is in force.
      const ladder = {
        dryRun: config.remediationOrchestrator.dryRun,
        newWorkflowsDryRun: config.remediationOrchestrator.newWorkflowsDryRun,
        approvalPolicy: config.aianalysis.rego.policy ?? null,
        paused: (await deps.trust.paused()).paused,
      };
      return c.json({ items, ladder });
    })
    .post("/api/v1/workflows", apiAuth(tokens, "admin"), async (c) => {
      const text = await c.req.text();
      if (text.trim() === "")
        throw new ApiError(
          400,
          "invalid_request",
          "expected a workflow as YAML (Content-Type: application/yaml) or JSON, in the catalog directory's format",
        );
      const reason = c.req.query("reason") ?? "registered through the API";
      const result = await registerWorkflow(deps, {
        text,
        reason,
        actor: { id: c.get("caller").name, channel: requestChannel(c.req.header("x-kubernaut-channel")) },
      });
      return c.json(result, result.status === "registered" ? 201 : 200);
    })
    .patch("/api/v1/workflows/:id/trust", apiAuth(tokens, "admin"), async (c) => {
      const id = c.req.param("id");
      const change = parseBody(TrustChange, await readJsonBody(c), "trust change", BODY_EXAMPLES.trust);
      const after = await changeTrustLevel(deps, {
        workflowId: id,
        change,
        actor: { id: c.get("caller").name, channel: requestChannel(c.req.header("x-kubernaut-channel")) },
      });
      return c.json({ workflowId: id, level: after.level, namespaces: after.namespaces });
    })
    .post("/api/v1/fingerprints/:fp/release", apiAuth(tokens, "admin"), async (c) => {
      const fingerprint = parseOrThrow(
        z.string().regex(/^[0-9a-f]{64}$/, "must be a 64-character hex fingerprint"),
        c.req.param("fp"),
        "fingerprint",
      );
      const { reason } = parseBody(PauseBody, await readJsonBody(c), "release", BODY_EXAMPLES.release);
      const released = await deps.store.releaseHolds(fingerprint);
      await deps.systemAudit.append({
        type: "FingerprintReleased",
        at: now().toISOString(),
        actor: {
          type: "user",
          id: c.get("caller").name,
          channel: requestChannel(c.req.header("x-kubernaut-channel")),
        },
        details: {
          fingerprint,
          reason,
          holds: released.map((h) => ({
            kind: h.kind,
            reason: h.reason,
            until: new Date(h.expiresAt * 1000).toISOString(),
          })),
        },
      });
      return c.json({ fingerprint, released: released.map((h) => h.kind) });
    })
    .get("/api/v1/graduation", apiAuth(tokens, "viewer"), async (c) => {
      // Every remediation still retained (90 days by default), newest first.
      const remediations = [];
      let cursor: string | undefined;
      do {
        const page = await deps.store.list({ limit: 200, ...(cursor ? { cursor } : {}) });
        remediations.push(...page.items);
        cursor = page.cursor;
      } while (cursor && remediations.length < 10_000);
      const records = new Map((await deps.trust.all()).map((r) => [r.workflowId, r]));
      const rows = graduationReport(
        remediations,
        (workflowId, namespace) => {
          const record = records.get(workflowId);
          return record ? effectiveLevel(record, namespace || undefined) : registerAs();
        },
        deps.config().graduation,
        now(),
        (workflowId) => records.get(workflowId)?.version,
      );
      return c.json({
        items: rows.map((row) => ({
          ...row,
          ...(row.recommendation === "stay"
            ? {}
            : {
                action: {
                  method: "PATCH",
                  path: `/api/v1/workflows/${row.workflowId}/trust`,
                  body: {
                    level: row.recommendedLevel,
                    ...(row.namespace ? { namespaces: [row.namespace] } : {}),
                    reason: `graduation report: ${row.evidence.join("; ")}`.slice(0, 2000),
                  },
                },
              }),
        })),
      });
    })
    .get("/api/v1/pause", apiAuth(tokens, "viewer"), async (c) => c.json(await deps.trust.paused()))
    .put("/api/v1/pause", apiAuth(tokens, "admin"), async (c) => {
      const { reason } = parseBody(PauseBody, await readJsonBody(c), "pause", BODY_EXAMPLES.pause);
      return c.json(
        await setPaused(
          deps,
          true,
          { id: c.get("caller").name, channel: requestChannel(c.req.header("x-kubernaut-channel")) },
          reason,
        ),
      );
    })
    .delete("/api/v1/pause", apiAuth(tokens, "admin"), async (c) => {
      return c.json(
        await setPaused(
          deps,
          false,
          { id: c.get("caller").name, channel: requestChannel(c.req.header("x-kubernaut-channel")) },
          "resumed",
        ),
      );
    });
}
