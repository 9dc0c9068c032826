import { createHash } from "node:crypto";
import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import type { Config } from "@kubernaut/config";
import type { RemediationRequest } from "@kubernaut/core";
import { logger, metrics } from "@kubernaut/telemetry";
import { DeliveryError } from "./channels/errors";
import { type DeliverDeps, type DeliverResult, deadLetter, deliver } from "./deliver";
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
  /**
   * What the deliver task uses (breakers and channels), for delivering from the notifying task itself.
   * Without it every delivery goes through the notify machine.
   */
  inline?: Pick<DeliverDeps, "breakers" | "channels">;
  now?: () => Date;
}

/** Where the notify machine takes over a delivery the task did not complete. */
interface Handover {
  receiver: string;
  hop: number;
  /** The task's attempt failed: the first attempt waits the machine's first backoff interval. */
  backoff?: true;
  /** The task's attempt was rate limited: the first attempt waits the channel's Retry-After. */
  retryAfterSeconds?: number;
}

const TIMED_OUT = Symbol("timed out");

/**
 * Records a NotificationRequest, routes it, and delivers it to each receiver from the calling task
 * with the deliver task's own one-attempt code (same breaker, same delivery record); a notify execution
 * is started only for a receiver that attempt did not deliver, to do the retries, the fallback and the
 * dead letter. Ids and execution names derive from the remediation and type, so a retried task notifies
 * once: it finds the request, skips deliveries already recorded as delivered, and restarts an execution
 * only by its name (StartExecution of an existing name is a no-op).
 */
export class Notifier implements NotificationPort {
  constructor(private readonly deps: NotifierDeps) {}

  /** Inline attempts that outlived their timeout and still run (they record what they learn). */
  private readonly background = new Set<Promise<unknown>>();

  /** Resolves once no timed-out inline attempt is still running: a process shutting down, or a test. */
  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

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
    const fresh = !existing && (await this.deps.notifications.create(notification));
    await Promise.all(
      notification.deliveries.map(async ({ receiver }) => {
        const handover = fresh
          ? await this.deliverInline(id, receiver, config)
          : await this.resume(id, receiver);
        if (handover) await this.startRetries(id, receiver, handover);
      }),
    );
    if (rr) logger.debug("notification sent", { id, remediationId: rr.id });
  }

  /**
   * One attempt from the task, bounded by `inlineDelivery.timeout`. Delivered, or dead-lettered on a
   * permanent refusal (what the machine's Catch would do), it is done; anything else is handed over.
   */
  private async deliverInline(id: string, receiver: string, config: Config): Promise<Handover | undefined> {
    const settings = config.notification.inlineDelivery;
    if (!this.deps.inline || !settings.enabled) return { receiver, hop: 0 };
    // A function that does not carry the receiver's channel (the schedule has no Slack client) hands over.
    const type = config.notification.receivers.find((r) => r.name === receiver)?.type;
    if (!type || !this.deps.inline.channels[type]) return { receiver, hop: 0 };
    const deps: DeliverDeps = {
      config: this.deps.config,
      notifications: this.deps.notifications,
      ...this.deps.inline,
    };
    const backoff: Handover = { receiver, hop: 0, backoff: true };
    const attempt = deliver(deps, { notificationId: id, receiver, hop: 0 });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), settings.timeout);
    });
    let result: DeliverResult | typeof TIMED_OUT;
    try {
      result = await Promise.race([attempt, timeout]);
    } catch (error) {
      if (error instanceof DeliveryError && error.kind === "permanent") {
        await deadLetter(deps, {
          notificationId: id,
          receiver,
          error: { Error: error.name, Cause: error.message },
        });
        return undefined;
      }
      // Transient (the channel, or the table): the machine retries after the first backoff.
      return backoff;
    } finally {
      clearTimeout(timer);
    }
    switch (result) {
      case TIMED_OUT:
        // The attempt may still reach the channel; it records what it learns, and the machine's first
        // attempt comes a backoff later and delivers only if that record does not say Delivered. (On
        // Lambda a container frozen after the task returns finishes it on its next invocation, if ever;
        // then the record simply lacks it, and the machine delivers at least once, as its own task
        // timing out after a post would.)
        this.background.add(attempt);
        attempt.catch(() => undefined).finally(() => this.background.delete(attempt));
        logger.info("inline delivery timed out; the notify machine retries", {
          notificationId: id,
          receiver,
        });
        return backoff;
      default:
        switch (result.outcome) {
          case "delivered":
            return undefined;
          case "rateLimited":
            return { receiver, hop: 0, retryAfterSeconds: result.retryAfterSeconds };
          case "breakerOpen":
            // Recorded as FellBack; the machine delivers to the fallback (which may fall back in turn).
            return { receiver: result.fallback, hop: result.hop };
        }
    }
  }

  /**
   * A retried task: whatever its first run did is on the delivery record. Delivered or dead-lettered →
   * nothing to do; otherwise the execution is (re)started by name, a no-op if it already runs.
   */
  private async resume(id: string, receiver: string): Promise<Handover | undefined> {
    const record = await this.deps.notifications.delivery(id, receiver);
    if (record?.status === "Delivered" || record?.status === "DeadLetter") return undefined;
    return { receiver, hop: 0 };
  }

  /** The notify machine for one receiver, named by the notification and the routed receiver. */
  private async startRetries(id: string, receiver: string, handover: Handover): Promise<void> {
    try {
      await this.deps.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.deps.stateMachineArn,
          name: executionName(id, receiver),
          input: JSON.stringify({ notificationId: id, ...handover }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
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
