import { createHash, randomUUID } from "node:crypto";
import { Artifact, type Message, Role, type Task, TaskState } from "@a2a-js/sdk";
import type { ServerCallContext } from "@a2a-js/sdk/server";
import { canonicalJson, type RemediationRequest } from "@kubernaut/core";
import type { IntakeStore, RemediationStore } from "@kubernaut/store";
import { logger } from "@kubernaut/telemetry";
import { z } from "zod";
import { remediationArtifacts, textPart } from "./artifacts";
import {
  type DerivedStatus,
  ingestProgress,
  intakeProgress,
  isFinalState,
  mergedInto,
  remediationStatus,
} from "./task-state";
import type { DynamoTaskStore } from "./task-store";

/**
 * What a task follows, kept in the task's metadata under `kubernaut` (so the calling agent sees it too):
 * the remediation, or the intake request until it names one, and what ingest answered.
 */
export const TaskLink = z.object({
  /** The API token that sent the message: the actor of everything this task causes. */
  requestedBy: z.string(),
  remediationId: z.string().optional(),
  intakeId: z.string().optional(),
  fingerprint: z.string().nullable().optional(),
  ingest: z
    .object({
      status: z.string(),
      remediationId: z.string().nullable().optional(),
      reason: z.string().optional(),
    })
    .optional(),
  /** Remediations this task followed before they merged into the current one (owner-chain merges). */
  mergedFrom: z.array(z.string()).optional(),
});
export type TaskLink = z.infer<typeof TaskLink>;

export const METADATA_KEY = "kubernaut";
/** A merge of a merge of a merge is already odd; stop there rather than loop on bad data. */
const MAX_MERGE_HOPS = 3;

/** The task as derived from what it follows. */
export interface Derived {
  link: TaskLink;
  status: DerivedStatus;
  artifacts: Artifact[];
}

export interface TrackerDeps {
  store: RemediationStore;
  intakes?: IntakeStore;
  tasks: DynamoTaskStore;
  now?: () => Date;
}

/**
 * Keeps A2A tasks in step with their remediations. Nothing pushes state into a task: every read derives
 * it again from the remediation (the truth) and writes it back only when it changed, so any container,
 * warm or cold, answers the same.
 */
export class RemediationTracker {
  constructor(private readonly deps: TrackerDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** The stored task, recomputed from what it follows; `undefined` when it is not the caller's. */
  async refresh(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    const record = await this.deps.tasks.record(taskId, context);
    if (!record) return undefined;
    const link = linkOf(record.task);
    // A final task never changes again, and a task without a link is not one this server made.
    if (!link || isFinalState(record.task.status?.state)) return record.task;
    const derived = await this.derive(link);
    const projection = projectionOf(derived);
    if (projection === record.projection) return record.task;
    const next = withDerived(record.task, derived, this.now());
    if (!(await this.deps.tasks.replace(next, context, record.version, projection))) {
      // A newer write won the race; it is at least as fresh as ours.
      return (await this.deps.tasks.load(taskId, context)) ?? next;
    }
    if (derived.link.remediationId && derived.link.remediationId !== link.remediationId)
      await this.auditAttached(derived.link.remediationId, next, link.remediationId ? "merge" : "intake");
    return next;
  }

  /** The task's status and artifacts given its link: intake → remediation, following merges. */
  async derive(link: TaskLink): Promise<Derived> {
    let current = link;
    if (!current.remediationId && current.intakeId) {
      const intake = await this.deps.intakes?.get(current.intakeId);
      if (!intake)
        return {
          link,
          status: { state: TaskState.TASK_STATE_FAILED, text: `intake ${current.intakeId} no longer exists` },
          artifacts: [],
        };
      const progress = intakeProgress(intake);
      const ingest = intake.ingest
        ? {
            status: intake.ingest.status,
            remediationId: intake.ingest.remediationId,
            ...(intake.ingest.reason ? { reason: intake.ingest.reason } : {}),
          }
        : undefined;
      if (progress.kind === "status")
        return {
          link: { ...current, ...(ingest ? { ingest } : {}) },
          status: progress.status,
          artifacts: [],
        };
      current = {
        ...current,
        remediationId: progress.remediationId,
        ...(intake.ingest?.fingerprint ? { fingerprint: intake.ingest.fingerprint } : {}),
        ...(ingest ? { ingest } : {}),
      };
    }
    if (current.remediationId) {
      const followed = await this.follow(current.remediationId);
      if (!followed.rr)
        return {
          link: current,
          status: {
            state: TaskState.TASK_STATE_FAILED,
            text: `remediation ${current.remediationId} no longer exists (past its retention)`,
          },
          artifacts: [],
        };
      const mergedFrom = [...(current.mergedFrom ?? []), ...followed.mergedFrom];
      return {
        link: {
          ...current,
          remediationId: followed.rr.id,
          fingerprint: followed.rr.fingerprint,
          ...(mergedFrom.length > 0 ? { mergedFrom } : {}),
        },
        status: remediationStatus(followed.rr),
        artifacts: remediationArtifacts(followed.rr),
      };
    }
    if (current.ingest) {
      const progress = ingestProgress(current.ingest);
      if (progress.kind === "status") return { link: current, status: progress.status, artifacts: [] };
    }
    return {
      link: current,
      status: { state: TaskState.TASK_STATE_FAILED, text: "the task follows nothing" },
      artifacts: [],
    };
  }

  /** Records on the remediation's audit chain that an A2A task follows it (best effort: see below). */
  async auditAttached(remediationId: string, task: Task, via: "signal" | "intake" | "merge"): Promise<void> {
    const link = linkOf(task);
    try {
      await this.deps.store.appendAudit(remediationId, {
        type: "A2ATaskAttached",
        at: this.now().toISOString(),
        actor: { type: "service", id: link?.requestedBy ?? "unknown", channel: "a2a" },
        details: {
          taskId: task.id,
          contextId: task.contextId,
          via,
          ...(link?.ingest ? { ingest: link.ingest.status } : {}),
        },
      });
    } catch (error) {
      // The remediation's creation is already audited with this caller by ingest; losing this extra
      // event to a transient fault must not fail a task whose remediation exists.
      logger.warn("could not audit the A2A task on its remediation", {
        remediationId,
        taskId: task.id,
        error,
      });
    }
  }

  private async follow(
    remediationId: string,
  ): Promise<{ rr: RemediationRequest | undefined; mergedFrom: string[] }> {
    const mergedFrom: string[] = [];
    let rr = await this.deps.store.get(remediationId);
    for (let hop = 0; rr && hop < MAX_MERGE_HOPS; hop++) {
      const into = mergedInto(rr);
      if (!into) break;
      const next = await this.deps.store.get(into);
      if (!next) break;
      mergedFrom.push(rr.id);
      rr = next;
    }
    return { rr, mergedFrom };
  }
}

/** The link a task carries in its metadata; `undefined` for a task this server did not create. */
export function linkOf(task: Task): TaskLink | undefined {
  const parsed = TaskLink.safeParse(task.metadata?.[METADATA_KEY]);
  return parsed.success ? parsed.data : undefined;
}

/** The metadata an agent sees: the link plus the API paths to read the same records directly. */
export function metadataFor(link: TaskLink): Record<string, unknown> {
  return {
    [METADATA_KEY]: {
      ...link,
      links: {
        ...(link.remediationId ? { remediation: `/api/v1/remediations/${link.remediationId}` } : {}),
        ...(link.intakeId ? { intake: `/api/v1/intake/${link.intakeId}` } : {}),
      },
    },
  };
}

/** A new task, as the executor publishes it for a new message. */
export function newTask(
  ids: { taskId: string; contextId: string },
  userMessage: Message,
  derived: Derived,
  now: Date,
): Task {
  const status = agentMessage(ids, derived.status.text);
  return {
    id: ids.taskId,
    contextId: ids.contextId,
    status: { state: derived.status.state, message: status, timestamp: now.toISOString() },
    artifacts: derived.artifacts,
    history: [userMessage, status],
    metadata: metadataFor(derived.link),
  };
}

/**
 * The task with a recomputed status and artifacts. A changed status gets a new message (also appended
 * to the history, so the history reads as the remediation's timeline); an unchanged one keeps its time.
 */
export function withDerived(task: Task, derived: Derived, now: Date): Task {
  const changed = task.status?.state !== derived.status.state || statusText(task) !== derived.status.text;
  const message = changed
    ? agentMessage({ taskId: task.id, contextId: task.contextId }, derived.status.text)
    : undefined;
  return {
    ...task,
    status: message ? { state: derived.status.state, message, timestamp: now.toISOString() } : task.status,
    artifacts: derived.artifacts,
    history: message ? [...task.history, message] : task.history,
    metadata: { ...task.metadata, ...metadataFor(derived.link) },
  };
}

function statusText(task: Task): string | undefined {
  const part = task.status?.message?.parts[0]?.content;
  return part?.$case === "text" ? part.value : undefined;
}

function agentMessage(ids: { taskId: string; contextId: string }, text: string): Message {
  return {
    messageId: randomUUID(),
    contextId: ids.contextId,
    taskId: ids.taskId,
    role: Role.ROLE_AGENT,
    parts: [textPart(text)],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

/** A digest of everything derived, so an unchanged remediation costs a read and no write. */
function projectionOf(derived: Derived): string {
  return createHash("sha256")
    .update(
      canonicalJson({
        link: derived.link,
        status: derived.status,
        artifacts: derived.artifacts.map((artifact) => Artifact.toJSON(artifact)),
      }),
    )
    .digest("hex");
}
