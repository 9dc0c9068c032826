import { createHash } from "node:crypto";
import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import type { Config } from "@kubernaut/config";
import type { RemediationRequest } from "@kubernaut/core";
import { logger, metrics } from "@kubernaut/telemetry";
import type { NotificationStore } from "./records";
import { routeNotification } from "./routing";
import {
  type NotificationContext,
  type NotificationPriority,
  type NotificationRequest,
  type NotificationType,
  notificationPriority,
} from "./types";

export interface NotifyInput {
  type: NotificationType;
  subject: string;
  body: string;
  remediation?: RemediationRequest;
  context?: Partial<NotificationContext>;
  /** Distinguishes several notifications of one type for one remediation (e.g. two status updates). */
  key?: string;
  /** Without a remediation there is no priority to derive; callers may say it. */
  priority?: NotificationPriority;
  /**
   * Updates an earlier notification (by id) instead of adding one: it goes to the same receivers and
   * channels, and Slack rewrites the original message (an approval that was decided or expired).
   */
  replaces?: string;
}

/** The port every task calls. It never throws into the remediation: a notification problem is logged and counted. */
export interface NotificationPort {
  notify(input: NotifyInput): Promise<void>;
}

export interface NotifierDeps {
  config: () => Config;
  notifications: NotificationStore;
  sfn: SFNClient;
  stateMachineArn: string;
  now?: () => Date;
}

/**
 * Records a NotificationRequest, routes it, and starts one notify execution per receiver. Ids and
 * execution names derive from the remediation and type, so a retried task notifies once.
 */
export class Notifier implements NotificationPort {
  constructor(private readonly deps: NotifierDeps) {}

  async notify(input: NotifyInput): Promise<void> {
    try {
      await this.send(input);
    } catch (error) {
      metrics.inc(
        "kubernaut_notification_enqueue_failures_total",
        "Notifications that could not be enqueued",
        { type: input.type },
      );
      logger.error("notification could not be enqueued", { type: input.type, subject: input.subject, error });
    }
  }

  private async send(input: NotifyInput): Promise<void> {
    const config = this.deps.config();
    const now = this.deps.now?.() ?? new Date();
    const rr = input.remediation;
    const id = notificationId(input, now);
    const existing = await this.deps.notifications.get(id);
    const original = input.replaces ? await this.deps.notifications.get(input.replaces) : undefined;
    const notification = existing ?? this.build(id, input, config, now, original);
    if (!existing) await this.deps.notifications.create(notification);
    await Promise.all(
      notification.deliveries.map(async ({ receiver }) => {
        try {
          await this.deps.sfn.send(
            new StartExecutionCommand({
              stateMachineArn: this.deps.stateMachineArn,
              name: executionName(id, receiver),
              input: JSON.stringify({ notificationId: id, receiver, hop: 0 }),
            }),
          );
        } catch (error) {
          if (!(error instanceof ExecutionAlreadyExists)) throw error;
        }
      }),
    );
    if (rr) logger.debug("notification enqueued", { id, remediationId: rr.id });
  }

  private build(
    id: string,
    input: NotifyInput,
    config: Config,
    now: Date,
    original?: NotificationRequest,
  ): NotificationRequest {
    const rr = input.remediation;
    const priority = input.priority ?? notificationPriority(rr?.enrichment?.priority);
    const base = config.notification.baseUrl.replace(/\/$/, "");
    const context: NotificationContext = {
      ...(rr
        ? {
            remediationId: rr.id,
            target: rr.targetResource,
            ...(rr.enrichment ? { environment: rr.enrichment.environment } : {}),
            ...(rr.targetResource.namespace ? { namespace: rr.targetResource.namespace } : {}),
            ...(rr.enrichment?.customLabels.team
              ? { team: [rr.enrichment.customLabels.team].flat().join(",") }
              : {}),
            ...(rr.analysis
              ? {
                  rcaSummary: rr.analysis.rootCause,
                  confidence: rr.analysis.confidence,
                  parameters: rr.analysis.parameters,
                }
              : {}),
            ...(rr.analysis?.workflowId ? { workflowId: rr.analysis.workflowId } : {}),
            ...(rr.outcome ? { outcome: rr.outcome } : {}),
          }
        : {}),
      ...input.context,
      links: {
        ...(rr
          ? { API: `${base}/api/v1/remediations/${rr.id}`, Console: `${base}/console/remediations/${rr.id}` }
          : {}),
        ...input.context?.links,
      },
    };
    const deliveries =
      original?.deliveries ??
      routeNotification(
        config.notification.route,
        {
          type: input.type,
          priority,
          environment: context.environment,
          namespace: context.namespace,
          team: context.team,
        },
        config.notification.receivers,
      );
    return {
      id,
      type: input.type,
      priority,
      subject: input.subject,
      body: input.body,
      ...(original ? { replaces: original.id } : {}),
      context,
      createdAt: now.toISOString(),
      deliveries,
    };
  }
}

function notificationId(input: NotifyInput, now: Date): string {
  if (input.remediation) return notificationIdFor(input.remediation.id, input.type, input.key);
  const scope = `${now.getTime().toString(36)}-${createHash("sha256").update(input.subject).digest("hex").slice(0, 8)}`;
  return `nr-${scope}-${input.type}${input.key ? `-${input.key}` : ""}`;
}

/** The id of a remediation's notification of a type: stable, so a retried task notifies once. */
export function notificationIdFor(remediationId: string, type: NotificationType, key?: string): string {
  return `nr-${remediationId.replace(/^rr-/, "")}-${type}${key ? `-${key}` : ""}`;
}

/** Step Functions names: ≤ 80 characters of [A-Za-z0-9-_]; long ones keep a readable prefix and a hash. */
export function executionName(id: string, receiver: string): string {
  const raw = `${id}-${receiver}`.replace(/[^A-Za-z0-9_-]/g, "_");
  if (raw.length <= 80) return raw;
  return `${raw.slice(0, 63)}-${createHash("sha256").update(raw).digest("hex").slice(0, 16)}`;
}
