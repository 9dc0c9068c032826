import { displayParameters } from "@kubernaut/workflows";
import type { KnownBlock } from "@slack/web-api";
import type { NotificationRequest } from "./types";

const ICON: Record<NotificationRequest["type"], string> = {
  Approval: ":raised_hand:",
  ManualReview: ":mag:",
  DryRun: ":eyes:",
  Completion: ":white_check_mark:",
  Escalation: ":rotating_light:",
  StatusUpdate: ":information_source:",
};

/** Block Kit for every notification: what happened, where, and links to look closer. */
export function notificationBlocks(notification: NotificationRequest): KnownBlock[] {
  const { context } = notification;
  const target = context.target
    ? `${context.target.kind}/${context.target.name}${context.target.namespace ? ` in ${context.target.namespace}` : ""}`
    : undefined;
  const fields = [
    target && `*Target*\n${target}`,
    context.environment && `*Environment*\n${context.environment}`,
    `*Priority*\n${notification.priority}`,
    context.workflowId && `*Workflow*\n\`${context.workflowId}\``,
    context.confidence !== undefined && `*Confidence*\n${context.confidence.toFixed(2)}`,
    context.outcome && `*Outcome*\n${context.outcome}`,
  ].filter((f): f is string => typeof f === "string");
  const blocks: KnownBlock[] = [
    {
      type: "header",
      text: { type: "plain_text", text: `${notification.type}: ${notification.subject}`.slice(0, 150) },
    },
    {
      type: "section",
      text: { type: "mrkdwn", text: `${ICON[notification.type]} ${notification.body}`.slice(0, 3000) },
    },
  ];
  if (fields.length > 0)
    blocks.push({ type: "section", fields: fields.map((text) => ({ type: "mrkdwn", text })) });
  if (context.rcaSummary)
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: `*Root cause*\n${context.rcaSummary}`.slice(0, 3000) },
    });
  const links = Object.entries(context.links).map(([name, url]) => `<${url}|${name}>`);
  if (links.length > 0)
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: links.join(" · ") }] });
  return blocks;
}

/**
 * An approval request adds the parameters, the deadline and the buttons. The buttons carry only the
 * approval request's id: never the Step Functions task token, which would let anyone holding the message
 * complete the task directly.
 */
export function approvalBlocks(notification: NotificationRequest): KnownBlock[] {
  const { context } = notification;
  const blocks = notificationBlocks(notification);
  if (context.parameters && Object.keys(context.parameters).length > 0) {
    // Quantities as an approver reads them (memoryLimit: 600Mi), not in bytes.
    const rendered = Object.entries(displayParameters(context.workflowId, context.parameters))
      .map(([k, v]) => `• \`${k}\`: ${v}`)
      .join("\n");
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: `*Parameters*\n${rendered}`.slice(0, 3000) },
    });
  }
  if (context.reason || context.requiredBy) {
    const deadline = context.requiredBy
      ? `<!date^${Math.floor(Date.parse(context.requiredBy) / 1000)}^{date_short_pretty} {time}|${context.requiredBy}>`
      : "";
    blocks.push({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: [context.reason && `Why: ${context.reason}`, deadline && `Decide by ${deadline}`]
            .filter(Boolean)
            .join(" · "),
        },
      ],
    });
  }
  const value = context.approvalRequestId ?? "";
  blocks.push({
    type: "actions",
    block_id: "approval",
    elements: [
      {
        type: "button",
        action_id: "approve",
        style: "primary",
        text: { type: "plain_text", text: "Approve" },
        value,
      },
      {
        type: "button",
        action_id: "reject",
        style: "danger",
        text: { type: "plain_text", text: "Reject" },
        value,
      },
      {
        type: "button",
        action_id: "approve_with_changes",
        text: { type: "plain_text", text: "Approve with changes" },
        value,
      },
    ],
  });
  return blocks;
}
