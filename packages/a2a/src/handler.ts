import type {
  AgentCard,
  CancelTaskRequest,
  GetTaskRequest,
  ListTasksRequest,
  ListTasksResponse,
  Task,
} from "@a2a-js/sdk";
import { TaskState } from "@a2a-js/sdk";
import { TaskNotCancelableError } from "@a2a-js/sdk/errors";
import { DefaultRequestHandler, type ServerCallContext } from "@a2a-js/sdk/server";
import type { RemediationExecutor } from "./executor";
import { isFinalState } from "./task-state";
import type { DynamoTaskStore } from "./task-store";
import { linkOf, type RemediationTracker } from "./tracker";

/**
 * The SDK's request handler with the remediation as the source of truth: GetTask and ListTasks
 * recompute tasks from their remediations first, and CancelTask is refused (see below).
 */
export class RemediationRequestHandler extends DefaultRequestHandler {
  constructor(
    card: AgentCard,
    tasks: DynamoTaskStore,
    executor: RemediationExecutor,
    private readonly tracker: RemediationTracker,
  ) {
    // No event bus outlives a request: the executor returns at once and state comes from DynamoDB, so
    // keeping buses alive for input-required tasks would only leak them in a warm container.
    super(card, tasks, executor, undefined, undefined, undefined, undefined, undefined, {
      keepBusAliveStates: [],
    });
  }

  override async getTask(params: GetTaskRequest, context: ServerCallContext): Promise<Task> {
    await this.tracker.refresh(params.id, context);
    return super.getTask(params, context);
  }

  override async listTasks(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    const page = await super.listTasks(params, context);
    const tasks = await Promise.all(
      page.tasks.map(async (task) => {
        if (isFinalState(task.status?.state)) return task;
        const fresh = await this.tracker.refresh(task.id, context);
        // History stays as the SDK trimmed it (historyLength); status and artifacts are the fresh ones.
        return fresh
          ? { ...task, status: fresh.status, artifacts: fresh.artifacts, metadata: fresh.metadata }
          : task;
      }),
    );
    return { ...page, tasks };
  }

  /**
   * A task follows a remediation it does not own — other agents and the API may follow the same one — so
   * cancelling the task cannot cancel the remediation. People stop a remediation by rejecting its
   * approval request or with the kill switch; the task then follows it to failed / rejected.
   */
  override async cancelTask(params: CancelTaskRequest, context: ServerCallContext): Promise<Task> {
    const task = await this.getTask({ tenant: params.tenant, id: params.id }, context);
    if (task.status?.state === TaskState.TASK_STATE_CANCELED) return task;
    const remediationId = linkOf(task)?.remediationId;
    throw new TaskNotCancelableError(
      remediationId
        ? `task ${task.id} follows remediation ${remediationId}, which other callers may follow too; reject its approval request (POST /api/v1/approvals/{id}/decision) or pause execution (PUT /api/v1/pause) instead`
        : `task ${task.id} cannot be cancelled: it follows a remediation request, not work of its own`,
    );
  }
}
