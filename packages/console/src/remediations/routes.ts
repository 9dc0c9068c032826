import { ApiError } from "@kubernaut/http";
import { InvalidCursorError } from "@kubernaut/store";
import { type Context, Hono } from "hono";
import { chrome } from "../chrome";
import type { ConsoleDeps, ConsoleEnv } from "../deps";
import { renderRemediationList } from "../render";
import { ListFilter } from "./list";
import { detailPage, liveFragment, liveTag } from "./page";

const REMEDIATION_ID = /^rr-[a-z0-9-]{10,70}$/;

/** Fixed texts for the redirect after an action (never echoed from the query). */
const NOTICES: Record<string, string> = {
  approved: "Approved. The remediation continues; this page follows it.",
  "approved-with-changes": "Approved with your changes. The remediation continues; this page follows it.",
  rejected: "Rejected. The remediation ends Failed (Approval).",
};

function remediationId(c: Context<ConsoleEnv>): string {
  const id = c.req.param("id") ?? "";
  if (!REMEDIATION_ID.test(id)) throw new ApiError(404, "not_found", `${id} is not a remediation id`);
  return id;
}

export function parseListFilter(query: Record<string, string>): ListFilter {
  const result = ListFilter.safeParse(query);
  if (!result.success) {
    const problem = result.error.issues[0];
    throw new ApiError(
      400,
      "invalid_request",
      `invalid filter: ${problem?.path.join(".")}: ${problem?.message}`,
    );
  }
  return result.data;
}

/** The remediation list and one remediation's timeline, with its live part for polling. */
export function remediationPages(deps: ConsoleDeps) {
  const store = deps.decisions.store;
  return new Hono<ConsoleEnv>()
    .get("/remediations", async (c) => {
      const filter = parseListFilter(c.req.query());
      try {
        return c.html(
          await renderRemediationList(deps, filter, {
            caller: c.get("caller"),
            csrf: c.get("session")?.csrf,
          }),
        );
      } catch (error) {
        if (error instanceof InvalidCursorError) {
          throw new ApiError(
            400,
            "invalid_request",
            "That page link is not valid any more; start from the first page.",
          );
        }
        throw error;
      }
    })
    .get("/remediations/:id", async (c) => {
      const id = remediationId(c);
      const [found, shell] = await Promise.all([store.timeline(id), chrome(deps, c)]);
      if (!found) throw new ApiError(404, "not_found", `remediation ${id} does not exist`);
      const notice = NOTICES[c.req.query("notice") ?? ""];
      return c.html(
        detailPage(
          found.remediation,
          found.audit,
          shell,
          notice ? { kind: "success", text: notice } : undefined,
        ).value,
      );
    })
    .get("/remediations/:id/live", async (c) => {
      const id = remediationId(c);
      const found = await store.timeline(id);
      if (!found) throw new ApiError(404, "not_found", `remediation ${id} does not exist`);
      const tag = liveTag(found.audit);
      c.header("ETag", tag);
      c.header("Cache-Control", "no-cache");
      if (c.req.header("if-none-match") === tag) return c.body(null, 304);
      return c.html(liveFragment(found.remediation, found.audit).value);
    });
}
