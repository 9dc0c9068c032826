import type { Priority as RemediationPriority } from "@kubernaut/core";
import { z } from "zod";

/** Kubernaut's NotificationRequest types. */
export const NotificationType = z.enum([
  "Approval",
  "ManualReview",
  "DryRun",
  "Completion",
  "Escalation",
  "StatusUpdate",
]);
export type NotificationType = z.infer<typeof NotificationType>;

export const NotificationPriority = z.enum(["Critical", "High", "Medium", "Low"]);
export type NotificationPriority = z.infer<typeof NotificationPriority>;

/** P0 → Critical, P1 → High, P2 → Medium, anything else (or unknown) → Low. */
export function notificationPriority(priority: RemediationPriority | undefined): NotificationPriority {
  switch (priority) {
    case "P0":
      return "Critical";
    case "P1":
      return "High";
    case "P2":
      return "Medium";
    default:
      return "Low";
  }
}

export const NotificationContext = z.object({
  remediationId: z.string().optional(),
  target: z
    .object({
      kind: z.string(),
      name: z.string(),
      namespace: z.string().optional(),
      cluster: z.string().optional(),
    })
    .optional(),
  environment: z.string().optional(),
  namespace: z.string().optional(),
  team: z.string().optional(),
  rcaSummary: z.string().optional(),
  workflowId: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  confidence: z.number().optional(),
  outcome: z.string().optional(),
  reason: z.string().optional(),
  approvalRequestId: z.string().optional(),
  requiredBy: z.string().optional(),
  links: z.record(z.string(), z.string()).default({}),
});
export type NotificationContext = z.infer<typeof NotificationContext>;

export const NotificationRequest = z.object({
  id: z.string(),
  type: NotificationType,
  priority: NotificationPriority,
  subject: z.string(),
  body: z.string(),
  context: NotificationContext,
  createdAt: z.string(),
  /** The notification this one updates in place where the channel can (Slack's chat.update). */
  replaces: z.string().optional(),
  /** Receiver and Slack channel per delivery, resolved by routing when the request was made. */
  deliveries: z.array(z.object({ receiver: z.string(), channel: z.string().optional() })),
});
export type NotificationRequest = z.infer<typeof NotificationRequest>;
