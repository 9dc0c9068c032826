import { deliverPendingDecisions } from "@kubernaut/approvals/outbox";
import { announceAssessed, assessDue, notifyAssessed } from "@kubernaut/effectiveness";
import { createIntakeHandlers, type IntakeFunction, intakeBudget } from "@kubernaut/intake";
import { createNotifyHandlers, type NotifyFunction } from "@kubernaut/notify";
import type { TaskFunction } from "@kubernaut/pipeline/definition";
import { reconcileClosedExecution } from "@kubernaut/pipeline/reconcile";
import { createTaskHandlers, type PipelineDeps, type TaskHandler } from "@kubernaut/pipeline/tasks";
import { logger } from "@kubernaut/telemetry";
import { z } from "zod";
import { decisionSender, pipelineStarter } from "./parts/aws";
import { catalog } from "./parts/catalog";
import { clusters } from "./parts/cluster";
import { model } from "./parts/model";
import { breakers, channels, notifications, notifier, plainNotifier } from "./parts/notify";
import { approvalPolicy, classifier } from "./parts/policy";
import { approvals, assessments, intakes, leases, remediations, suggestions, trust } from "./parts/store";
import type { Runtime } from "./runtime";

/**
 * Whether this process reaches a cluster at all: a default one handed in (the simulator, the test
 * cluster, KUBECONFIG), or connections in the config. Without one, execution refuses with
 * ExecutorUnavailable and analysis selects by alert name, instead of failing on a missing kubeconfig.
 */
export function hasCluster(rt: Runtime): boolean {
  const config = rt.config();
  return (
    rt.adapters.defaultCluster !== undefined ||
    config.cluster.kubeconfig !== undefined ||
    config.cluster.eks !== undefined ||
    Object.keys(config.clusters).length > 0
  );
}

/**
 * The pipeline tasks' dependencies. Each is a getter: a task Lambda builds only what its task touches
 * (evaluate-policy never builds a Kubernetes client, finish never loads the policy).
 */
export function pipelineDeps(rt: Runtime): PipelineDeps {
  const directory = () => clusters(rt);
  return {
    config: rt.config,
    get store() {
      return remediations(rt);
    },
    get approvals() {
      return approvals(rt);
    },
    get catalog() {
      return catalog(rt);
    },
    get policy() {
      return approvalPolicy(rt);
    },
    ...(hasCluster(rt)
      ? {
          cluster: {
            access: (name: string | undefined) => directory().access(name),
            prepare: (name: string | undefined) => directory().prepare(name),
          },
        }
      : {}),
    get leases() {
      return leases(rt);
    },
    get trust() {
      return trust(rt);
    },
    get assessments() {
      return assessments(rt);
    },
    get suggestions() {
      return suggestions(rt);
    },
    model: model(rt),
    get classifier() {
      return classifier(rt);
    },
    get notifier() {
      return notifier(rt);
    },
    ...(rt.adapters.now ? { now: rt.adapters.now } : {}),
  };
}

/** Every task of the remediation state machine, as its Lambda (or the local engine) calls it. */
export const pipelineTasks = (rt: Runtime): Record<TaskFunction, TaskHandler> =>
  rt.part("pipelineTasks", () => createTaskHandlers(pipelineDeps(rt)));

/** The notify state machine's tasks: one delivery attempt, and the dead letter. */
export const notifyTasks = (rt: Runtime): Record<NotifyFunction, TaskHandler> =>
  rt.part("notifyTasks", () =>
    createNotifyHandlers({
      config: rt.config,
      get notifications() {
        return notifications(rt);
      },
      get breakers() {
        return breakers(rt);
      },
      get channels() {
        return channels(rt);
      },
    }),
  );

/** The intake state machine's tasks: interpret (the model), submit (the ingest logic), failed. */
export const intakeTasks = (rt: Runtime): Record<IntakeFunction, TaskHandler> =>
  rt.part("intakeTasks", () => {
    const directory = () => clusters(rt);
    return createIntakeHandlers({
      get intakes() {
        return intakes(rt);
      },
      model: () => model(rt)("intake"),
      ...(hasCluster(rt)
        ? {
            cluster: async (name: string | undefined) => {
              await directory().prepare(name);
              return directory().access(name);
            },
          }
        : {}),
      budget: () => intakeBudget(rt.config().aianalysis.llm?.budget),
      ingest: {
        get store() {
          return remediations(rt);
        },
        get starter() {
          return pipelineStarter(rt);
        },
        get pendingGraceMs() {
          return rt.config().gateway.pendingGrace;
        },
        ...(rt.adapters.now ? { now: rt.adapters.now } : {}),
      },
      ...(rt.adapters.now ? { now: rt.adapters.now } : {}),
    });
  });

/** The approvals outbox: decisions recorded but not yet delivered to their execution go out. */
export const outboxSweep = (rt: Runtime) => () =>
  deliverPendingDecisions({ store: remediations(rt), approvals: approvals(rt), sender: decisionSender(rt) });

/** The effectiveness monitor (DESIGN §3.10): every due assessment is scored, and its ending announced. */
export const effectivenessMonitor = (rt: Runtime) => () =>
  assessDue({
    config: rt.config,
    store: remediations(rt),
    assessments: assessments(rt),
    trust: trust(rt),
    ...(hasCluster(rt) ? { cluster: clusters(rt) } : {}),
    // The monitor hands over the remediation it just completed, so announcing it needs no read; the
    // schedule stays small: its notifier carries no Slack client (Slack goes through the notify machine).
    notify: (id, rr) =>
      rr ? announceAssessed(plainNotifier(rt), rr) : notifyAssessed(remediations(rt), plainNotifier(rt), id),
    ...(rt.adapters.now ? { now: rt.adapters.now } : {}),
  });

/**
 * The one every-minute schedule: the outbox sweep and the effectiveness monitor. Each runs on its own:
 * a failure of one is logged and never stops the other, and fails the invocation so alarms see it.
 */
export const scheduled = (rt: Runtime) => async () => {
  const [outbox, assessed] = await Promise.allSettled([outboxSweep(rt)(), effectivenessMonitor(rt)()]);
  if (outbox.status === "rejected") logger.error("approvals outbox sweep failed", { error: outbox.reason });
  if (assessed.status === "rejected")
    logger.error("effectiveness monitor failed", { error: assessed.reason });
  if (outbox.status === "rejected" || assessed.status === "rejected")
    throw new Error("a scheduled job failed; see the log");
  return {
    outbox: outbox.value,
    assessments: {
      runId: assessed.value.runId,
      due: assessed.value.due,
      processed: assessed.value.processed.length,
      rescheduled: assessed.value.rescheduled.length,
    },
  };
};

const StatusChange = z.object({
  detail: z.object({
    name: z.string(),
    status: z.string(),
    error: z.string().nullish(),
    cause: z.string().nullish(),
  }),
});

/**
 * EventBridge "Step Functions Execution Status Change" (FAILED / TIMED_OUT / ABORTED): a remediation
 * whose execution ended before a terminal phase is failed here, so its fingerprint is released. The
 * local engine calls the same handler when an execution closes.
 */
export const executionClosed = (rt: Runtime) => async (event: unknown) => {
  const { detail } = StatusChange.parse(event);
  const reconciled = await reconcileClosedExecution(remediations(rt), {
    name: detail.name,
    status: detail.status,
    ...(detail.error ? { error: detail.error } : {}),
    ...(detail.cause ? { cause: detail.cause } : {}),
  });
  return { reconciled };
};
