import { auditRefusedDecision, type DecisionDeps, decideApproval } from "@kubernaut/approvals";
import type { Config } from "@kubernaut/config";
import { ApiError, countRefusal, mayDecide } from "@kubernaut/http";
import type { SystemAuditStore } from "@kubernaut/store";
import { logger } from "@kubernaut/telemetry";
import { findWorkflow, type ParameterValue } from "@kubernaut/workflows";
import type { WebClient } from "@slack/web-api";
import { Hono } from "hono";
import { z } from "zod";
import { SlackIdentities } from "./identity";
import {
  approveWithChangesModal,
  MODAL_CALLBACK_ID,
  problemsToBlockErrors,
  RATIONALE_BLOCK,
  readModalSubmission,
} from "./modal";
import { verifySlackSignature } from "./verify";

export interface SlackDeps {
  config: () => Config;
  decisions: DecisionDeps;
  slack: WebClient;
  systemAudit: SystemAuditStore;
  now?: () => Date;
}

const Interaction = z
  .object({
    type: z.enum(["block_actions", "view_submission"]),
    team: z.object({ id: z.string() }).nullish(),
    api_app_id: z.string().optional(),
    user: z.object({ id: z.string() }),
    trigger_id: z.string().optional(),
    channel: z.object({ id: z.string() }).nullish(),
    actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).optional(),
    view: z
      .object({
        callback_id: z.string(),
        private_metadata: z.string(),
        state: z.object({ values: z.record(z.string(), z.record(z.string(), z.any())) }),
      })
      .optional(),
  })
  .passthrough();
type Interaction = z.infer<typeof Interaction>;

/**
 * `POST /api/v1/slack/interactions` (DESIGN §9): Slack's buttons and the approve-with-changes modal.
 * Every request must carry a valid v0 signature within the replay window and come from the configured
 * workspace and app; anything else is a 401. Decisions go through the same path as the API (scopes, one
 * conditional write, outbox, override validation, audit), and Slack gets its answer within its 3-second
 * budget because that path is a few table writes.
 *
 * What a refusal costs matters here, because this URL is public: a request whose signature does not
 * verify may come from anyone on the internet, so it is only counted (metrics) and logged — writing it
 * to the system audit stream would let anyone load, and contend for the head of, the one daily chain.
 * Only a request Slack signed with our secret, but for another workspace or app, is audited.
 */
export function slackRoutes(deps: SlackDeps) {
  const identities = new SlackIdentities(deps.slack, deps.config);
  const refuseUnverified = (code: string, reason: string) => {
    countRefusal("slack", code);
    logger.warn("refused an unverified Slack request", { reason });
    return new ApiError(401, "unauthorized", `Slack request refused: ${reason}`);
  };
  const refuseVerified = async (code: string, reason: string, detail: Record<string, unknown>) => {
    countRefusal("slack", code);
    await deps.systemAudit.append({
      type: "SlackRequestRefused",
      at: (deps.now?.() ?? new Date()).toISOString(),
      actor: { type: "service", id: "slack", channel: "slack" },
      details: { reason, ...detail },
    });
    return new ApiError(401, "unauthorized", `Slack request refused: ${reason}`);
  };

  return new Hono().post("/api/v1/slack/interactions", async (c) => {
    const config = deps.config();
    const rawBody = await c.req.text();
    const signingSecret = config.slack.signingSecret;
    if (!signingSecret)
      throw refuseUnverified(
        "no_signing_secret",
        "no Slack signing secret is configured (SLACK_SIGNING_SECRET)",
      );
    const verified = verifySlackSignature({
      signingSecret,
      timestamp: c.req.header("x-slack-request-timestamp"),
      signature: c.req.header("x-slack-signature"),
      rawBody,
      nowSeconds: Math.floor((deps.now?.() ?? new Date()).getTime() / 1000),
    });
    if (!verified.ok) throw refuseUnverified(verified.code, verified.reason);

    let interaction: Interaction;
    try {
      interaction = Interaction.parse(JSON.parse(new URLSearchParams(rawBody).get("payload") ?? ""));
    } catch {
      throw new ApiError(400, "invalid_request", "invalid Slack interaction: no JSON payload field");
    }
    if (config.slack.teamId && interaction.team?.id !== config.slack.teamId) {
      throw await refuseVerified("another_workspace", "another workspace", { teamId: interaction.team?.id });
    }
    if (config.slack.appId && interaction.api_app_id !== config.slack.appId) {
      throw await refuseVerified("another_app", "another app", { appId: interaction.api_app_id });
    }

    if (interaction.type === "view_submission")
      return c.json(await submitModal(deps, identities, interaction));
    await clickButton(deps, identities, interaction);
    return c.body(null, 200);
  });
}

async function clickButton(
  deps: SlackDeps,
  identities: SlackIdentities,
  interaction: Interaction,
): Promise<void> {
  const action = interaction.actions?.[0];
  const approvalId = action?.value;
  if (!action || !approvalId) return;
  const userId = interaction.user.id;
  const tell = (text: string) => ephemeral(deps, interaction, text);
  const caller = await identities.caller(userId);

  if (action.action_id === "approve_with_changes") {
    const approval = await deps.decisions.approvals.get(approvalId);
    if (!approval) return tell(`Approval request ${approvalId} does not exist.`);
    if (!mayDecide(caller, approval.environment, approval.namespace)) {
      await auditRefusedDecision(deps, caller, "slack", deps.now?.() ?? new Date(), {
        approvalRequestId: approvalId,
        environment: approval.environment,
        namespace: approval.namespace,
      });
      return tell(
        `You are not an approver for ${approval.environment}${approval.namespace ? `/${approval.namespace}` : ""}; nothing was changed.`,
      );
    }
    if (approval.decision)
      return tell(`This request is already ${approval.decision} by ${approval.decidedBy}.`);
    const rr = await deps.decisions.store.get(approval.remediationId);
    const workflow = findWorkflow(rr?.analysis?.workflowId ?? "", deps.decisions.catalog);
    if (!rr || !workflow || !interaction.trigger_id) return tell("This request has no workflow to change.");
    const summary = `${rr.targetResource.kind}/${rr.targetResource.name} in ${approval.environment}: ${rr.analysis?.rootCause ?? ""}`;
    await deps.slack.views.open({
      trigger_id: interaction.trigger_id,
      view: approveWithChangesModal(
        approval.id,
        workflow,
        (rr.analysis?.parameters ?? {}) as Record<string, ParameterValue>,
        summary,
      ) as never,
    });
    return;
  }

  const decision =
    action.action_id === "approve" ? "Approved" : action.action_id === "reject" ? "Rejected" : undefined;
  if (!decision) return;
  try {
    await decideApproval(deps.decisions, {
      id: approvalId,
      caller,
      channel: "slack",
      body: { decision, message: `${decision.toLowerCase()} in Slack by <@${userId}>` },
    });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    // Out of scope, already decided (the other click won), expired, gone: say why; nothing changed.
    await tell(
      error.status === 403
        ? `You are not an approver here; nothing was changed. (${error.message})`
        : `${error.message}. Nothing was changed.`,
    );
  }
}

async function submitModal(
  deps: SlackDeps,
  identities: SlackIdentities,
  interaction: Interaction,
): Promise<Record<string, unknown>> {
  const view = interaction.view;
  if (!view || view.callback_id !== MODAL_CALLBACK_ID) return {};
  const approval = await deps.decisions.approvals.get(view.private_metadata);
  const rr = approval ? await deps.decisions.store.get(approval.remediationId) : undefined;
  const workflow = findWorkflow(rr?.analysis?.workflowId ?? "", deps.decisions.catalog);
  if (!approval || !workflow)
    return { response_action: "errors", errors: { [RATIONALE_BLOCK]: "this request no longer exists" } };
  const { parameters, rationale, errors } = readModalSubmission(workflow, view.state.values as never);
  if (Object.keys(errors).length > 0) return { response_action: "errors", errors };
  try {
    await decideApproval(deps.decisions, {
      id: approval.id,
      caller: await identities.caller(interaction.user.id),
      channel: "slack",
      body: { decision: "Approved", workflowOverride: { workflowName: workflow.id, parameters, rationale } },
    });
    return {};
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 400) {
      const problems = error.message.replace(/^invalid decision: /, "").split("; ");
      return { response_action: "errors", errors: problemsToBlockErrors(problems) };
    }
    return { response_action: "errors", errors: { [RATIONALE_BLOCK]: error.message } };
  }
}

async function ephemeral(deps: SlackDeps, interaction: Interaction, text: string): Promise<void> {
  const channel = interaction.channel?.id;
  if (!channel) return;
  try {
    await deps.slack.chat.postEphemeral({ channel, user: interaction.user.id, text });
  } catch (error) {
    // The explanation is a courtesy; failing to send it changes nothing about the decision.
    logger.warn("could not send an ephemeral Slack message", { error });
  }
}
