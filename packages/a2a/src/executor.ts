import { TaskState, taskStateToJSON } from "@a2a-js/sdk";
import { A2AError, TaskNotCancelableError } from "@a2a-js/sdk/errors";
import {
  AgentEvent,
  type AgentExecutor,
  type ExecutionEventBus,
  type RequestContext,
} from "@a2a-js/sdk/server";
import type { Config } from "@kubernaut/config";
import type { Signal } from "@kubernaut/core";
import type { Caller } from "@kubernaut/http";
import { type IntakeStarter, ingestSignal, type RemediationStarter, submitIntake } from "@kubernaut/ingest";
import { type IntakeStore, isTransientError, type RemediationStore } from "@kubernaut/store";
import { logger, metrics } from "@kubernaut/telemetry";
import { callerOf } from "./caller";
import { type IncomingRequest, readRequest } from "./message";
import type { DerivedStatus } from "./task-state";
import { type Derived, newTask, type RemediationTracker, type TaskLink } from "./tracker";

export interface ExecutorDeps {
  config: Config;
  store: RemediationStore;
  starter: RemediationStarter;
  /** Natural-language intake; absent (or no model configured), a description alone is refused. */
  intake?: { intakes: IntakeStore; starter: IntakeStarter };
  tracker: RemediationTracker;
  now?: () => Date;
}

/**
 * The agent behind the A2A endpoint. A new message becomes a signal on the normal ingest path — a
 * structured one straight into the webhook's ingest logic, a description through the intake state
 * machine — and the task then follows the remediation it created or joined. The executor never waits
 * for the remediation (it takes minutes to hours, with a human in the loop): it answers with the task as
 * it stands, and GetTask recomputes it from the remediation from then on.
 */
export class RemediationExecutor implements AgentExecutor {
  constructor(private readonly deps: ExecutorDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async execute(context: RequestContext, bus: ExecutionEventBus): Promise<void> {
    try {
      await this.run(context, bus);
    } catch (error) {
      // The SDK turns a thrown error into a failed task carrying its message: keep internals out of it.
      if (error instanceof A2AError) throw error;
      logger.error("A2A message failed", { taskId: context.taskId, error });
      throw new Error(
        isTransientError(error)
          ? "a dependency was temporarily unavailable; send the message again"
          : "internal error (logged on the server)",
      );
    }
  }

  private async run(context: RequestContext, bus: ExecutionEventBus): Promise<void> {
    if (context.task) {
      // A message on an existing task changes nothing about the remediation (approvals have their own
      // authorised route); the answer is the task as it stands now.
      const current = (await this.deps.tracker.refresh(context.taskId, context.context)) ?? context.task;
      bus.publish(AgentEvent.task(current));
      return;
    }
    const caller = callerOf(context.context);
    const request = readRequest(context.userMessage);
    const derived = await this.start(context, caller, request);
    const task = newTask(
      { taskId: context.taskId, contextId: context.contextId },
      context.userMessage,
      derived,
      this.now(),
    );
    if (derived.link.remediationId)
      await this.deps.tracker.auditAttached(derived.link.remediationId, task, via(request));
    metrics.inc("kubernaut_a2a_tasks_total", "A2A tasks created, by request kind and first state", {
      kind: request.kind,
      state: taskStateToJSON(derived.status.state),
    });
    bus.publish(AgentEvent.task(task));
  }

  /** Tasks follow remediations they do not own (others may follow the same one), so they never cancel it. */
  async cancelTask(taskId: string): Promise<void> {
    throw new TaskNotCancelableError(`task ${taskId} follows a remediation; see CancelTask on the handler`);
  }

  private async start(context: RequestContext, caller: Caller, request: IncomingRequest): Promise<Derived> {
    const base: TaskLink = { requestedBy: caller.name };
    switch (request.kind) {
      case "invalid":
        return stopped(base, TaskState.TASK_STATE_REJECTED, request.reason);
      case "signal":
        return this.deps.tracker.derive(await this.ingest(caller, request, base));
      case "text":
        return this.intake(context, caller, request, base);
      default:
        return request satisfies never;
    }
  }

  /** The webhook's ingest decision (dedup, holds, creation), with this caller as the actor. */
  private async ingest(
    caller: Caller,
    request: Extract<IncomingRequest, { kind: "signal" }>,
    base: TaskLink,
  ): Promise<TaskLink> {
    const at = this.now();
    const signal: Signal = {
      // The labels are Alertmanager's, so the signal is read exactly as an alert would be.
      source: "a2a",
      alertName: request.labels.alertname ?? "",
      severity: request.labels.severity ?? "unknown",
      labels: request.labels,
      annotations: request.annotations,
      startsAt: request.startsAt ?? at.toISOString(),
      ...(request.generatorURL ? { generatorURL: request.generatorURL } : {}),
      receivedAt: at.toISOString(),
    };
    const answer = await ingestSignal(
      {
        store: this.deps.store,
        starter: this.deps.starter,
        pendingGraceMs: this.deps.config.gateway.pendingGrace,
        now: () => this.now(),
      },
      { status: "firing", signal, actor: { type: "service", id: caller.name, channel: "a2a" } },
    );
    const follows = answer.status === "created" || answer.status === "deduplicated";
    return {
      ...base,
      fingerprint: answer.fingerprint,
      ingest: {
        status: answer.status,
        remediationId: answer.remediationId,
        ...(answer.reason ? { reason: answer.reason } : {}),
      },
      ...(follows && answer.remediationId ? { remediationId: answer.remediationId } : {}),
    };
  }

  /**
   * What POST /api/v1/signals/text does: record the request and start the intake state machine (the
   * model call never runs in the HTTP function). The message id is the idempotency key, so a client
   * resending the same message finds its first intake instead of interpreting the text twice.
   */
  private async intake(
    context: RequestContext,
    caller: Caller,
    request: Extract<IncomingRequest, { kind: "text" }>,
    base: TaskLink,
  ): Promise<Derived> {
    const intake = this.deps.intake;
    if (!this.deps.config.aianalysis.llm || !intake)
      return stopped(
        base,
        TaskState.TASK_STATE_REJECTED,
        "a described problem needs a language model: configure aianalysis.llm (provider, model, and baseUrl for openai-compatible), or send a structured signal instead (a data part with Alertmanager labels: alertname, namespace, deployment …)",
      );
    const submission = await submitIntake(
      intake,
      {
        text: request.text,
        cluster: request.cluster,
        caller: caller.name,
        channel: "a2a",
        // The message id makes a resend idempotent, as an Idempotency-Key does on the API.
        idempotencyKey: `a2a:${context.userMessage.messageId}`,
      },
      this.now(),
    );
    if (submission.outcome === "conflict")
      return stopped(
        base,
        TaskState.TASK_STATE_REJECTED,
        `message ${context.userMessage.messageId} was already sent with a different text (intake ${submission.existing.id})`,
      );
    const link: TaskLink = { ...base, intakeId: submission.request.id };
    if (submission.outcome === "notStarted")
      return stopped(
        link,
        TaskState.TASK_STATE_FAILED,
        "the intake execution could not be started; send the same message again (same messageId) to retry",
      );
    return this.deps.tracker.derive(link);
  }
}

function stopped(link: TaskLink, state: DerivedStatus["state"], text: string): Derived {
  return { link, status: { state, text }, artifacts: [] };
}

function via(request: IncomingRequest): "signal" | "intake" {
  return request.kind === "text" ? "intake" : "signal";
}
