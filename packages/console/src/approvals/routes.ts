import { decideApproval } from "@kubernaut/approvals";
import { ApiError } from "@kubernaut/http";
import { findWorkflow, type WorkflowDefinition } from "@kubernaut/workflows";
import { type Context, Hono } from "hono";
import { chrome } from "../chrome";
import { BASE, type ConsoleDeps, type ConsoleEnv } from "../deps";
import { formText } from "../form-fields";
import { renderApprovalQueue } from "../render";
import { requireCsrf, signedIn } from "../session/middleware";
import {
  type FieldErrors,
  type FormValues,
  initialValues,
  problemsToFieldErrors,
  RATIONALE_FIELD,
  readParameterForm,
} from "./form";
import { changesPage, queuePage } from "./page";
import { loadQueue, loadRequest, type QueueItem } from "./queue";

const APPROVAL_ID = /^rar-[a-z0-9-]{10,70}$/;

function approvalId(c: Context<ConsoleEnv>): string {
  const id = c.req.param("id") ?? "";
  if (!APPROVAL_ID.test(id)) throw new ApiError(404, "not_found", `${id} is not an approval request id`);
  return id;
}

/** The approval queue and its decisions; every decision goes through `decideApproval` (channel "console"). */
export function approvalPages(deps: ConsoleDeps) {
  const now = () => deps.now?.() ?? new Date();
  // An override is judged at its own workflow's trust level (Level 2): decisions read the console's trust store.
  const decisions = { ...deps.decisions, trust: deps.decisions.trust ?? deps.trust };

  /** The queue again, with why the last action did not happen. */
  const queueWithError = async (c: Context<ConsoleEnv>, error: ApiError) => {
    const [items, shell] = await Promise.all([loadQueue(deps), chrome(deps, c)]);
    return c.html(queuePage(items, shell, now(), { kind: "error", text: error.message }).value, error.status);
  };

  const alternativesFor = (item: QueueItem): readonly WorkflowDefinition[] => {
    const kind = item.remediation?.targetResource.kind;
    return deps.decisions.catalog.filter((w) => !kind || w.targetKinds.includes(kind));
  };

  const renderChanges = async (
    c: Context<ConsoleEnv>,
    item: QueueItem,
    workflow: WorkflowDefinition,
    values: FormValues,
    errors: FieldErrors,
    status: 200 | 400 | 403 | 409 = 200,
  ) => {
    const shell = await chrome(deps, c);
    const form = { item, workflow, alternatives: alternativesFor(item), values, errors };
    return c.html(changesPage(form, shell, now()).value, status);
  };

  return new Hono<ConsoleEnv>()
    .get("/approvals", async (c) =>
      c.html(await renderApprovalQueue(deps, { caller: c.get("caller"), csrf: c.get("session")?.csrf })),
    )
    .post("/approvals/:id/decision", requireCsrf, async (c) => {
      const id = approvalId(c);
      const { caller } = signedIn(c);
      const form = await c.req.parseBody();
      const decision = formText(form, "decision");
      const message = formText(form, "message").trim();
      try {
        const { approval } = await decideApproval(decisions, {
          id,
          caller,
          channel: "console",
          body: { decision, ...(message ? { message } : {}) },
        });
        const notice = approval.decision === "Approved" ? "approved" : "rejected";
        return c.redirect(`${BASE}/remediations/${approval.remediationId}?notice=${notice}`, 303);
      } catch (error) {
        if (error instanceof ApiError) return queueWithError(c, error);
        throw error;
      }
    })
    .get("/approvals/:id", async (c) => {
      const item = await loadRequest(deps, approvalId(c));
      if (!item) throw new ApiError(404, "not_found", `approval request ${c.req.param("id")} does not exist`);
      if (item.approval.decision) {
        throw new ApiError(
          409,
          "conflict",
          `${item.approval.id} is already ${item.approval.decision} by ${item.approval.decidedBy}.`,
        );
      }
      const chosen = c.req.query("workflow");
      const workflow = (chosen ? findWorkflow(chosen, alternativesFor(item)) : undefined) ?? item.workflow;
      if (!workflow) throw new ApiError(409, "conflict", "This request has no workflow to change.");
      const proposed = workflow.id === item.workflow?.id ? item.remediation?.analysis?.parameters : undefined;
      return renderChanges(c, item, workflow, initialValues(workflow, proposed), {});
    })
    .post("/approvals/:id/changes", requireCsrf, async (c) => {
      const id = approvalId(c);
      const { caller } = signedIn(c);
      const item = await loadRequest(deps, id);
      if (!item) throw new ApiError(404, "not_found", `approval request ${id} does not exist`);
      const raw = await c.req.parseBody();
      const values: FormValues = Object.fromEntries(
        Object.entries(raw).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : [])),
      );
      const workflow = findWorkflow(values.workflow ?? "", alternativesFor(item));
      if (!workflow) {
        throw new ApiError(400, "invalid_request", `${values.workflow} is not a workflow for this target`);
      }
      const { parameters, errors } = readParameterForm(workflow, values);
      const rationale = (values[RATIONALE_FIELD] ?? "").trim();
      if (!rationale) errors[RATIONALE_FIELD] = "say why the parameters change";
      // Refused before anything is written: the request stays pending, and the audit trail unchanged.
      if (Object.keys(errors).length > 0) return renderChanges(c, item, workflow, values, errors, 400);
      const message = (values.message ?? "").trim();
      try {
        await decideApproval(decisions, {
          id,
          caller,
          channel: "console",
          body: {
            decision: "Approved",
            ...(message ? { message } : {}),
            workflowOverride: { workflowName: workflow.id, parameters, rationale },
          },
        });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const shown =
          error.status === 400 ? problemsToFieldErrors(error.message, workflow) : { "": error.message };
        const status = error.status === 403 || error.status === 409 ? error.status : 400;
        return renderChanges(c, item, workflow, values, shown, status);
      }
      return c.redirect(
        `${BASE}/remediations/${item.approval.remediationId}?notice=approved-with-changes`,
        303,
      );
    });
}
