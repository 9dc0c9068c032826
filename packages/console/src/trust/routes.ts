import { ApiError } from "@kubernaut/http";
import { type Context, Hono } from "hono";
import { chrome } from "../chrome";
import { BASE, type ConsoleDeps, type ConsoleEnv } from "../deps";
import { formText } from "../form-fields";
import { requireAdmin, requireCsrf, signedIn } from "../session/middleware";
import { changeTrustLevel, PauseReason, setPaused, TrustChange } from "./actions";
import { loadLadder } from "./ladder";
import { trustPage } from "./page";

const NOTICES: Record<string, string> = {
  "trust-changed": "Trust level changed. The next remediation of this workflow uses it.",
  paused: "Execution paused. Remediations reaching execution now end Blocked (Paused).",
  resumed: "Execution resumed.",
};

/** The trust ladder page and its admin actions (graduate, demote, the kill switch). */
export function trustPages(deps: ConsoleDeps) {
  const render = async (c: Context<ConsoleEnv>, notice?: { kind: "success" | "error"; text: string }) => {
    const [ladder, shell] = await Promise.all([loadLadder(deps), chrome(deps, c)]);
    return trustPage(ladder, shell, notice).value;
  };
  const refused = async (c: Context<ConsoleEnv>, error: ApiError) =>
    c.html(await render(c, { kind: "error", text: `Nothing was changed: ${error.message}` }), error.status);

  return new Hono<ConsoleEnv>()
    .get("/trust", async (c) => {
      const notice = NOTICES[c.req.query("notice") ?? ""];
      return c.html(await render(c, notice ? { kind: "success", text: notice } : undefined));
    })
    .post("/trust/:workflowId", requireCsrf, requireAdmin, async (c) => {
      const form = await c.req.parseBody();
      const namespaces = formText(form, "namespaces")
        .split(/[\s,]+/)
        .filter(Boolean);
      const parsed = TrustChange.safeParse({
        level: formText(form, "level"),
        ...(namespaces.length ? { namespaces } : {}),
        reason: formText(form, "reason"),
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return refused(
          c,
          new ApiError(400, "invalid_request", `${issue?.path.join(".")}: ${issue?.message}`),
        );
      }
      const workflowId = c.req.param("workflowId");
      try {
        await changeTrustLevel(deps, { workflowId, change: parsed.data, caller: signedIn(c).caller });
      } catch (error) {
        if (error instanceof ApiError) return refused(c, error);
        throw error;
      }
      return c.redirect(`${BASE}/trust?notice=trust-changed#wf-${encodeURIComponent(workflowId)}`, 303);
    })
    .post("/pause", requireCsrf, requireAdmin, async (c) => {
      const reason = PauseReason.safeParse(formText(await c.req.parseBody(), "reason"));
      if (!reason.success) {
        return refused(c, new ApiError(400, "invalid_request", `reason: ${reason.error.issues[0]?.message}`));
      }
      await setPaused(deps, true, signedIn(c).caller, reason.data);
      return c.redirect(`${BASE}/trust?notice=paused`, 303);
    })
    .post("/resume", requireCsrf, requireAdmin, async (c) => {
      await setPaused(deps, false, signedIn(c).caller, "resumed");
      return c.redirect(`${BASE}/trust?notice=resumed`, 303);
    });
}
