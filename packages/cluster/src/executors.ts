import { type ActionType, formatQuantity, isActionType, parseActionInput } from "@kubernaut/workflows";
import type { ClusterAccess, K8s, ObjectRef } from "./access";
import { evictablePods, nodeDrain, workloadRollout } from "./convergence";
import { ExecutionError, statusCode, statusMessage, withKubernetesRetries } from "./errors";
import { podHealth, rolloutHistory } from "./inspect";
import { specHash } from "./spec-hash";

/**
 * Stamped on the object an execution acts on when — and only when — the whole workflow is done: a retry
 * that finds it does nothing. A single-write workflow stamps it in that write; a workflow of several
 * steps (delete a pod, drain a node) stamps it last, so a retry after a failed step redoes the rest.
 */
export const REMEDIATION_ANNOTATION = "kubernaut.ai/remediation-id";

/**
 * Stamped by each action step of a workflow of several steps, in that step's own write, as
 * `<remediation id>/<step index>`: a retry of the step that finds it does not act again. Only the latest
 * step's stamp matters — a step's completion is journalled before the next starts — and the workflow's
 * completion is still the remediation-id annotation, written after the last step.
 */
export const REMEDIATION_STEP_ANNOTATION = "kubernaut.ai/remediation-step";

/** The annotation that says this write's work is done, and its value. */
export interface Stamp {
  key: string;
  value: string;
}

export type ParameterValue = string | number | boolean;

export interface ExecutionRequest {
  remediationId: string;
  actionType: string;
  /** Whether the workflow changes the target's spec (refused on GitOps-managed targets). */
  changesSpec: boolean;
  target: ObjectRef;
  /** The action's input; parsed with the action's schema before anything runs. */
  parameters: Readonly<Record<string, unknown>>;
  /** What the write stamps; the remediation-id annotation (the whole workflow done) unless a step's. */
  stamp?: Stamp;
}

/** The stamp of a request: a step's own, or the remediation's when the action is the whole workflow. */
export const stampOf = (request: Pick<ExecutionRequest, "remediationId" | "stamp">): Stamp =>
  request.stamp ?? { key: REMEDIATION_ANNOTATION, value: request.remediationId };

export interface ExecutionResult {
  alreadyApplied: boolean;
  /** Absent only when the target no longer exists (a deleted Pod target). */
  preHash?: string;
  postHash?: string;
  summary: string;
}

/**
 * An execution's own record of the steps it took that a retry must not take differently — which pod it
 * chose to delete — kept outside the cluster (the pipeline keeps it on the WorkflowExecution), because
 * the cluster cannot say it afterwards: the deleted pod is gone, and choosing again would delete a second.
 */
export interface ExecutionJournal {
  /** Steps recorded by earlier attempts of this remediation: step → detail. */
  readonly steps: Readonly<Record<string, string>>;
  record(step: string, detail: string): Promise<void>;
}

/** A journal that lives as long as one call: enough when nothing retries across processes. */
export function inMemoryJournal(): ExecutionJournal {
  const steps: Record<string, string> = {};
  return {
    steps,
    record: async (step, detail) => {
      steps[step] = detail;
    },
  };
}

/** What an apply did: a summary, or that an earlier attempt had already made the change. */
type Applied = string | { summary: string; byEarlierAttempt: true };

type Apply = (
  access: ClusterAccess,
  current: K8s,
  request: ExecutionRequest,
  journal: ExecutionJournal,
) => Promise<Applied>;

/**
 * The JSON patch's `test` on resourceVersion failed, or another client's write otherwise got in first:
 * retried like a 409 Conflict, on freshly read state. kube-apiserver answers a failed `test` with 422
 * Invalid, not 409, so the executors recognise it themselves (see `patchTested`).
 */
export class ConcurrentWriteError extends Error {
  readonly code = 409;
  constructor(message: string) {
    super(message);
    this.name = "ConcurrentWrite";
  }
}

const annotate = (current: K8s, stamp: Stamp) => ({
  ...(current.metadata?.annotations ?? {}),
  [stamp.key]: stamp.value,
});

/**
 * Puts an earlier pod template back, in one JSON patch that tests the resourceVersion and stamps the
 * annotation in the same write.
 */
const restoreTemplate = (current: K8s, template: unknown, stamp: Stamp) => ({
  strategy: "json" as const,
  body: [
    { op: "test", path: "/metadata/resourceVersion", value: current.metadata.resourceVersion },
    { op: "replace", path: "/spec/template", value: template },
    {
      op: current.metadata.annotations ? "replace" : "add",
      path: "/metadata/annotations",
      value: annotate(current, stamp),
    },
  ],
});

/**
 * Sends a JSON patch whose first op tests the resourceVersion read in `current`. A 422 is either that
 * test failing — someone wrote in between, so the caller re-reads and redoes it (a ConcurrentWriteError,
 * retried like a 409) — or a patch the server finds invalid, which no retry fixes. Re-reading tells them
 * apart whatever the server's wording: only a moved resourceVersion is a concurrent writer.
 */
async function patchTested(
  access: ClusterAccess,
  ref: ObjectRef,
  current: K8s,
  patch: { strategy: "json"; body: unknown },
): Promise<void> {
  try {
    await access.patch(ref, patch);
  } catch (error) {
    if (statusCode(error) !== 422) throw error;
    const now = await access.read(ref);
    if (now.metadata?.resourceVersion === current.metadata.resourceVersion) throw error;
    throw new ConcurrentWriteError(
      `${ref.kind} ${ref.name} changed between read and write (resourceVersion ${current.metadata.resourceVersion} → ${now.metadata?.resourceVersion})`,
    );
  }
}

/** A merge/strategic patch body carrying the resourceVersion precondition and the annotation. */
const guarded = (current: K8s, stamp: Stamp, rest: Record<string, unknown>) => ({
  metadata: {
    resourceVersion: current.metadata.resourceVersion,
    annotations: { [stamp.key]: stamp.value },
  },
  ...rest,
});

/**
 * The last step of a multi-step workflow: the annotation that says it is done. No resourceVersion
 * precondition: the steps before it (a pod deleted, pods evicted) make the controllers rewrite the
 * target's status, and an annotation alone changes nothing another writer could have meant otherwise.
 */
export const markCompleted = (
  access: ClusterAccess,
  request: Pick<ExecutionRequest, "target" | "remediationId" | "stamp">,
) => {
  const stamp = stampOf(request);
  return access.patch(request.target, {
    strategy: "merge",
    body: { metadata: { annotations: { [stamp.key]: stamp.value } } },
  });
};

const describeRef = (ref: ObjectRef) => `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;

/** The pod RestartPod deletes, as its journal records it: a retry deletes this one or none. */
interface Victim {
  namespace: string;
  name: string;
  uid: string;
  why: string;
}

const isController = (owner: K8s) => owner.controller === true;

/**
 * The pod to delete: the one an earlier attempt chose (from the journal), else the least healthy pod of
 * the workload — or the target itself when it is a Pod — recorded before anything is deleted.
 */
async function restartVictim(
  access: ClusterAccess,
  current: K8s,
  request: ExecutionRequest,
  journal: ExecutionJournal,
): Promise<Victim> {
  const recorded = journal.steps.victim;
  if (recorded) return JSON.parse(recorded) as Victim;
  let pod: K8s | undefined;
  if (request.target.kind === "Pod") {
    // Deleting a pod only restarts it when a controller replaces it; a bare pod would be gone for good.
    if (!(current.metadata?.ownerReferences ?? []).some(isController)) {
      throw new ExecutionError(
        "PreconditionFailed",
        `${describeRef(request.target)} has no controller: deleting it would remove it for good, not restart it`,
      );
    }
    pod = current;
  } else {
    const pods = (await access.podsOf(current)).map((p) => ({ pod: p, health: podHealth(p) }));
    pod = pods.sort(
      (a, b) => Number(a.health.ready) - Number(b.health.ready) || b.health.restarts - a.health.restarts,
    )[0]?.pod;
  }
  if (!pod) throw new ExecutionError("PreconditionFailed", `${describeRef(request.target)} has no pods`);
  const health = podHealth(pod);
  const victim: Victim = {
    namespace: pod.metadata.namespace,
    name: pod.metadata.name,
    uid: pod.metadata.uid,
    why: `${health.waiting ?? health.phase}, ${health.restarts} restarts`,
  };
  await journal.record("victim", JSON.stringify(victim));
  return victim;
}

/**
 * Deletes exactly the pod that was read — the uid precondition keeps a same-named replacement (a
 * StatefulSet's) from being deleted in its place. Gone already (404) or replaced (409 on the uid) both
 * mean an earlier attempt's delete went through. Returns whether this call deleted it.
 */
async function deleteExactly(access: ClusterAccess, victim: Victim): Promise<boolean> {
  try {
    await access.core.deleteNamespacedPod({
      name: victim.name,
      namespace: victim.namespace,
      body: { preconditions: { uid: victim.uid } },
    });
    return true;
  } catch (error) {
    const code = statusCode(error);
    if (code === 404 || (code === 409 && /precondition/i.test(statusMessage(error)))) return false;
    throw error;
  }
}

const APPLY = {
  /** Back to the last revision before the current one (or `toRevision`), template and all. */
  RollbackDeployment: async (access, current, request) => {
    const history = await rolloutHistory(access, current);
    const wanted = Number(request.parameters.toRevision ?? 0);
    const target = wanted > 0 ? history.find((r) => r.revision === wanted) : history[1];
    if (!target) {
      throw new ExecutionError(
        "PreconditionFailed",
        `Deployment ${current.metadata.name} has no ${wanted > 0 ? `revision ${wanted}` : "previous revision"} to roll back to`,
      );
    }
    const template = structuredClone(target.template);
    delete template.metadata?.labels?.["pod-template-hash"];
    await patchTested(access, request.target, current, restoreTemplate(current, template, stampOf(request)));
    return `rolled back to revision ${target.revision} (${target.images.join(", ")})`;
  },

  /**
   * Delete the least healthy pod (its controller replaces it), or restart the rollout. Deleting is two
   * steps — the pod goes, then the target is marked done — with the chosen pod in the journal, so a retry
   * after a failed delete deletes it then, and a retry after the delete deletes no second pod.
   */
  RestartPod: async (access, current, request, journal) => {
    if (request.parameters.mode === "rolloutRestart") {
      if (request.target.kind === "Pod") {
        throw new ExecutionError(
          "PreconditionFailed",
          `${describeRef(request.target)} is a pod, which has no rollout to restart: delete it (mode deletePod) or restart its controller`,
        );
      }
      await access.patch(request.target, {
        strategy: "strategic",
        body: guarded(current, stampOf(request), {
          spec: {
            template: {
              metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": new Date().toISOString() } },
            },
          },
        }),
      });
      return "restarted the rollout";
    }
    const victim = await restartVictim(access, current, request, journal);
    const deleted = await deleteExactly(access, victim);
    // A Pod target is itself the pod just deleted: nothing is left to mark, and the journal says it all.
    if (request.target.kind !== "Pod") await markCompleted(access, request);
    return deleted
      ? `deleted pod ${victim.name} (${victim.why})`
      : { summary: `pod ${victim.name} was deleted by an earlier attempt`, byEarlierAttempt: true };
  },

  /** The new limit is absolute (analysis resolved it), so applying it twice cannot compound. */
  IncreaseMemoryLimits: async (access, current, request) => {
    const container = String(request.parameters.container ?? "");
    // Stored in bytes (exact); sent and reported as the quantity an operator would write.
    const limit = formatQuantity(Number(request.parameters.memoryLimit));
    const containers = (current.spec?.template?.spec?.containers ?? []) as K8s[];
    if (!containers.some((c) => c.name === container)) {
      throw new ExecutionError(
        "PreconditionFailed",
        `${describeRef(request.target)} has no container ${container}`,
      );
    }
    await access.patch(request.target, {
      strategy: "strategic",
      body: guarded(current, stampOf(request), {
        spec: {
          template: {
            spec: { containers: [{ name: container, resources: { limits: { memory: limit } } }] },
          },
        },
      }),
    });
    return `set the memory limit of ${container} to ${limit}`;
  },

  ScaleReplicas: async (access, current, request) => {
    const replicas = Number(request.parameters.replicas);
    await access.patch(request.target, {
      strategy: "merge",
      body: guarded(current, stampOf(request), { spec: { replicas } }),
    });
    return `scaled from ${current.spec?.replicas} to ${replicas} replicas`;
  },

  /**
   * Raises maxReplicas of the HPA that targets the workload, then marks the workload done: the HPA write
   * is absolute, so a retry between the two writes repeats it harmlessly.
   */
  PatchHPA: async (access, current, request) => {
    const hpas = (
      await access.autoscaling.listNamespacedHorizontalPodAutoscaler({
        namespace: current.metadata.namespace,
      })
    ).items as K8s[];
    const hpa = hpas.find(
      (h) =>
        h.spec?.scaleTargetRef?.kind === current.kind &&
        h.spec?.scaleTargetRef?.name === current.metadata.name,
    );
    if (!hpa)
      throw new ExecutionError(
        "PreconditionFailed",
        `no HorizontalPodAutoscaler targets ${current.kind} ${current.metadata.name}`,
      );
    const maxReplicas = Number(request.parameters.maxReplicas);
    await access.patch(
      { kind: "HorizontalPodAutoscaler", name: hpa.metadata.name, namespace: hpa.metadata.namespace },
      { strategy: "merge", body: guarded(hpa, stampOf(request), { spec: { maxReplicas } }) },
    );
    // The workload carries the annotation too: it is the remediation's target and the idempotency marker.
    await access.patch(request.target, {
      strategy: "merge",
      body: guarded(current, stampOf(request), {}),
    });
    return `raised ${hpa.metadata.name} maxReplicas from ${hpa.spec.maxReplicas} to ${maxReplicas}`;
  },

  /**
   * Cordon, evict every pod `kubectl drain` would (not DaemonSet pods, not mirror pods) through the
   * Eviction API, which enforces PodDisruptionBudgets, and only then mark the node done. Each step is
   * safe to repeat (cordoning a cordoned node changes nothing; a retry lists what is still there), so a
   * retry after a failed eviction or a PDB finishes the drain instead of reporting it done.
   */
  CordonDrainNode: async (access, current, request) => {
    const drain = request.parameters.drain !== false;
    if (!drain) {
      await access.patch(request.target, {
        strategy: "merge",
        body: guarded(current, stampOf(request), { spec: { unschedulable: true } }),
      });
      return `cordoned ${current.metadata.name}`;
    }
    if (current.spec?.unschedulable !== true) {
      await access.patch(request.target, {
        strategy: "merge",
        body: {
          metadata: { resourceVersion: current.metadata.resourceVersion },
          spec: { unschedulable: true },
        },
      });
    }
    const pods = (
      await access.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${current.metadata.name}` })
    ).items as K8s[];
    const evicted: string[] = [];
    for (const pod of evictablePods(pods)) {
      try {
        await access.core.createNamespacedPodEviction({
          name: pod.metadata.name,
          namespace: pod.metadata.namespace,
          body: { metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace } },
        });
        evicted.push(pod.metadata.name);
      } catch (error) {
        // Gone meanwhile: exactly what the drain wants.
        if (statusCode(error) === 404) continue;
        if (statusCode(error) === 429) {
          throw new ExecutionError(
            "DisruptionBudgetViolated",
            `drain of ${current.metadata.name} stopped: evicting ${pod.metadata.namespace}/${pod.metadata.name} would violate its PodDisruptionBudget (${statusMessage(error)}); cordoned, ${evicted.length} pod(s) evicted`,
          );
        }
        throw error;
      }
    }
    await markCompleted(access, request);
    return `cordoned ${current.metadata.name} and evicted ${evicted.length} pod(s)`;
  },

  /** Back to an earlier controllerrevision's template. */
  RollbackStatefulSet: async (access, current, request) => {
    const revisions = (
      (await access.apps.listNamespacedControllerRevision({ namespace: current.metadata.namespace }))
        .items as K8s[]
    )
      .filter((r) => (r.metadata?.ownerReferences ?? []).some((o: K8s) => o.uid === current.metadata.uid))
      .sort((a, b) => Number(b.revision) - Number(a.revision));
    const wanted = Number(request.parameters.toRevision ?? 0);
    const target = wanted > 0 ? revisions.find((r) => Number(r.revision) === wanted) : revisions[1];
    const template = target?.data?.spec?.template;
    if (!template)
      throw new ExecutionError(
        "PreconditionFailed",
        `StatefulSet ${current.metadata.name} has no earlier revision to restore`,
      );
    await patchTested(access, request.target, current, restoreTemplate(current, template, stampOf(request)));
    return `rolled back to controllerrevision ${target.metadata.name} (revision ${target.revision})`;
  },

  /**
   * A strategic-merge patch of the target's spec or labels/annotations, as the workflow wrote it, with
   * the resourceVersion precondition and the stamp in the same write.
   */
  PatchResource: async (access, current, request) => {
    const { patch } = request.parameters as { patch: { metadata?: K8s; spec?: K8s } };
    const body = guarded(current, stampOf(request), patch.spec ? { spec: patch.spec } : {});
    body.metadata = {
      ...body.metadata,
      ...(patch.metadata?.labels ? { labels: patch.metadata.labels } : {}),
      annotations: { ...patch.metadata?.annotations, ...body.metadata.annotations },
    };
    await access.patch(request.target, { strategy: "strategic", body });
    return `patched ${describeRef(request.target)} (${[
      ...(patch.spec ? Object.keys(patch.spec).map((k) => `spec.${k}`) : []),
      ...(patch.metadata ? Object.keys(patch.metadata).map((k) => `metadata.${k}`) : []),
    ].join(", ")})`;
  },
} satisfies Record<ActionType, Apply>;

/** Every action type an executor exists for: all of them (the `satisfies` above makes sure). */
export const SUPPORTED_ACTIONS = Object.keys(APPLY) as ActionType[];

/** Whether this write's work — or the whole workflow — is already done on `object`. */
const isDone = (object: K8s, request: ExecutionRequest) => {
  const annotations = object.metadata?.annotations ?? {};
  const stamp = stampOf(request);
  return (
    annotations[stamp.key] === stamp.value || annotations[REMEDIATION_ANNOTATION] === request.remediationId
  );
};

/** The action and its input, checked against the action's schema (its defaults filled in). */
function checkedRequest(request: ExecutionRequest): { action: ActionType; request: ExecutionRequest } {
  if (!isActionType(request.actionType))
    throw new ExecutionError("PreconditionFailed", `no executor for action type ${request.actionType}`);
  const input = parseActionInput(request.actionType, request.parameters);
  if (!input.ok)
    throw new ExecutionError(
      "PreconditionFailed",
      `${request.actionType} cannot run with these parameters: ${input.problems.join("; ")}`,
    );
  return { action: request.actionType, request: { ...request, parameters: input.input } };
}

/**
 * Runs one workflow against the cluster (DESIGN §3.7). Idempotent under retries: a target carrying this
 * remediation's annotation — stamped only once the whole workflow is done — is not changed again, and a
 * multi-step workflow resumes from its journal. Each apply reads fresh state and writes with a
 * resourceVersion precondition, so a conflict (409, or 422 on a JSON patch's failed test) means someone
 * else moved first and the apply is redone on what they left. A spec-changing workflow on a
 * GitOps-managed target is refused: Argo CD or Flux would revert it.
 */
export async function executeWorkflow(
  access: ClusterAccess,
  given: ExecutionRequest,
  options: { gitOpsManaged?: boolean; journal?: ExecutionJournal } = {},
): Promise<ExecutionResult> {
  const checked = checkedRequest(given);
  const request = checked.request;
  const apply: Apply = APPLY[checked.action];
  const journal = options.journal ?? inMemoryJournal();
  const what = `${request.actionType} on ${describeRef(request.target)}`;
  let initial: K8s;
  try {
    initial = await withKubernetesRetries(`reading ${what}`, () => access.read(request.target));
  } catch (error) {
    // A Pod target an earlier attempt deleted: the workflow is done, and there is nothing left to hash.
    const deleted = request.target.kind === "Pod" ? journal.steps.victim : undefined;
    if (deleted && error instanceof ExecutionError && error.name === "TargetNotFound") {
      return {
        alreadyApplied: true,
        summary: `pod ${(JSON.parse(deleted) as Victim).name} was deleted by an earlier attempt`,
      };
    }
    throw error;
  }
  if (isDone(initial, request)) {
    const hash = await specHash(request.target.kind, initial, access.core);
    return {
      alreadyApplied: true,
      preHash: hash,
      postHash: hash,
      summary: "already applied by an earlier attempt",
    };
  }
  if (request.changesSpec && options.gitOpsManaged) {
    throw new ExecutionError(
      "GitOpsManaged",
      `${what} refused: the target is GitOps-managed and a spec change would be reverted`,
    );
  }
  const preHash = await specHash(request.target.kind, initial, access.core);
  let applied: Applied = "";
  await withKubernetesRetries(what, async () => {
    const current = await access.read(request.target);
    if (isDone(current, request)) return;
    applied = await apply(access, current, request, journal);
  });
  const { summary, byEarlierAttempt } =
    typeof applied === "string" ? { summary: applied, byEarlierAttempt: false } : applied;
  const after = await readIfPresent(access, request.target, what);
  return {
    alreadyApplied: byEarlierAttempt,
    preHash,
    ...(after ? { postHash: await specHash(request.target.kind, after, access.core) } : {}),
    summary,
  };
}

/** The target after the change, or undefined when the change removed it (a deleted Pod target). */
async function readIfPresent(access: ClusterAccess, ref: ObjectRef, what: string): Promise<K8s | undefined> {
  try {
    return await withKubernetesRetries(`reading ${what}`, () => access.read(ref));
  } catch (error) {
    if (ref.kind === "Pod" && error instanceof ExecutionError && error.name === "TargetNotFound")
      return undefined;
    throw error;
  }
}

/**
 * Whether the target's change has taken effect after an execution (DESIGN §3.8): a workload's rollout by
 * its own controller's status fields, a node cordoned and drained, a restarted pod gone or ready again.
 * The workflow that ran says what "done" means (a cordon without a drain converges when cordoned).
 */
export async function rolloutConverged(
  access: ClusterAccess,
  target: ObjectRef,
  execution: { actionType?: string; parameters?: Record<string, unknown> } = {},
): Promise<{ converged: boolean; detail: string }> {
  const what = `reading ${target.kind} ${target.name}`;
  if (target.kind === "Pod") {
    const pod = await readIfPresent(access, target, what);
    // A controller replaces a deleted pod under a new name (a ReplicaSet's) or the same (a StatefulSet's).
    if (!pod) return { converged: true, detail: "deleted; its controller replaces it" };
    const health = podHealth(pod);
    const terminating = pod.metadata?.deletionTimestamp !== undefined;
    return {
      converged: !terminating && health.ready,
      detail: terminating ? "terminating" : `${health.ready ? "ready" : "not ready"} (${health.phase})`,
    };
  }
  const current = await withKubernetesRetries(what, () => access.read(target));
  if (target.kind === "Node") {
    const pods = (
      await withKubernetesRetries(`listing the pods on ${target.name}`, () =>
        access.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${target.name}` }),
      )
    ).items as K8s[];
    const drain = execution.actionType !== "CordonDrainNode" || execution.parameters?.drain !== false;
    return nodeDrain(current, pods, drain);
  }
  return workloadRollout(target.kind, current);
}

/** One API call a dry run shows: what the executor would send, with read-time values as placeholders. */
export interface PlannedCall {
  method: string;
  path: string;
  contentType?: string;
  body?: unknown;
}

/** The facts every action's plan is written from. */
interface PlanContext {
  /** The target's API path. */
  base: string;
  stamp: Record<string, string>;
  /** The last write of a multi-write action: the stamp alone. */
  completion: PlannedCall;
  /** A merge/strategic body with the resourceVersion precondition and the stamp. */
  guardedBody: (rest: Record<string, unknown>) => Record<string, unknown>;
}

type Plan = (request: ExecutionRequest, at: PlanContext) => PlannedCall[];

const WORKLOAD_PLURAL: Record<string, string> = {
  Deployment: "deployments",
  StatefulSet: "statefulsets",
  DaemonSet: "daemonsets",
};

/** The API path of an object the catalog acts on. */
export function apiPath(t: ObjectRef): string {
  return t.kind === "Node"
    ? `/api/v1/nodes/${t.name}`
    : t.kind === "Pod"
      ? `/api/v1/namespaces/${t.namespace}/pods/${t.name}`
      : `/apis/apps/v1/namespaces/${t.namespace}/${WORKLOAD_PLURAL[t.kind] ?? "deployments"}/${t.name}`;
}

const rollbackPlan: Plan = (request, { base, stamp }) => [
  {
    method: "PATCH",
    path: base,
    contentType: "application/json-patch+json",
    body: [
      { op: "test", path: "/metadata/resourceVersion", value: "<current>" },
      {
        op: "replace",
        path: "/spec/template",
        value: `<template of revision ${request.parameters.toRevision || "previous"}>`,
      },
      { op: "add", path: "/metadata/annotations", value: stamp },
    ],
  },
];

/**
 * Each action's dry-run description, next to its executor above and typed the same way: an action
 * without one does not compile. Written from the same request, with the input already checked.
 */
const PLAN = {
  RollbackDeployment: rollbackPlan,
  RollbackStatefulSet: rollbackPlan,
  IncreaseMemoryLimits: (request, { base, guardedBody }) => [
    {
      method: "PATCH",
      path: base,
      contentType: "application/strategic-merge-patch+json",
      body: guardedBody({
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: request.parameters.container,
                  resources: { limits: { memory: formatQuantity(Number(request.parameters.memoryLimit)) } },
                },
              ],
            },
          },
        },
      }),
    },
  ],
  ScaleReplicas: (request, { base, guardedBody }) => [
    {
      method: "PATCH",
      path: base,
      contentType: "application/merge-patch+json",
      body: guardedBody({ spec: { replicas: request.parameters.replicas } }),
    },
  ],
  PatchHPA: (request, { guardedBody }) => [
    {
      method: "PATCH",
      path: `/apis/autoscaling/v2/namespaces/${request.target.namespace}/horizontalpodautoscalers/<hpa targeting ${request.target.name}>`,
      contentType: "application/merge-patch+json",
      body: guardedBody({ spec: { maxReplicas: request.parameters.maxReplicas } }),
    },
  ],
  RestartPod: (request, { base, guardedBody, completion }) => {
    const t = request.target;
    if (request.parameters.mode === "rolloutRestart")
      return [
        {
          method: "PATCH",
          path: base,
          contentType: "application/strategic-merge-patch+json",
          body: guardedBody({
            spec: {
              template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "<now>" } } },
            },
          }),
        },
      ];
    // A Pod target itself goes (its controller replaces it); nothing is left to annotate.
    if (t.kind === "Pod")
      return [{ method: "DELETE", path: base, body: { preconditions: { uid: "<the pod's uid>" } } }];
    return [
      {
        method: "DELETE",
        path: `/api/v1/namespaces/${t.namespace}/pods/<least healthy pod of ${t.name}>`,
        body: { preconditions: { uid: "<that pod's uid>" } },
      },
      completion,
    ];
  },
  CordonDrainNode: (request, { base, guardedBody, completion }) =>
    request.parameters.drain === false
      ? [
          {
            method: "PATCH",
            path: base,
            contentType: "application/merge-patch+json",
            body: guardedBody({ spec: { unschedulable: true } }),
          },
        ]
      : [
          {
            method: "PATCH",
            path: base,
            contentType: "application/merge-patch+json",
            body: { metadata: { resourceVersion: "<current>" }, spec: { unschedulable: true } },
          },
          {
            method: "POST",
            path: `/api/v1/namespaces/<ns>/pods/<each pod on ${request.target.name} but DaemonSet and mirror pods>/eviction`,
          },
          completion,
        ],
  PatchResource: (request, { base, stamp }) => {
    const { patch } = request.parameters as { patch: { metadata?: K8s; spec?: K8s } };
    return [
      {
        method: "PATCH",
        path: base,
        contentType: "application/strategic-merge-patch+json",
        body: {
          metadata: {
            resourceVersion: "<current>",
            ...(patch.metadata?.labels ? { labels: patch.metadata.labels } : {}),
            annotations: { ...patch.metadata?.annotations, ...stamp },
          },
          ...(patch.spec ? { spec: patch.spec } : {}),
        },
      },
    ];
  },
} satisfies Record<ActionType, Plan>;

/**
 * What an execution would send, for a dry run (Level 1/2): the patch body or the API calls, with the
 * parameters filled in, without touching the cluster. Preconditions read at execution time (the
 * resourceVersion, the revision's template) are shown as placeholders. An action type without an
 * executor plans nothing (an older stored analysis); a request its action refuses plans nothing either.
 */
export function plannedChange(request: ExecutionRequest): { calls: PlannedCall[] } {
  if (!isActionType(request.actionType)) return { calls: [] };
  const input = parseActionInput(request.actionType, request.parameters);
  if (!input.ok) return { calls: [] };
  const checked = { ...request, parameters: input.input };
  const stamp = stampOf(request);
  const annotation = { [stamp.key]: stamp.value };
  const base = apiPath(request.target);
  const plan: Plan = PLAN[request.actionType];
  return {
    calls: plan(checked, {
      base,
      stamp: annotation,
      completion: {
        method: "PATCH",
        path: base,
        contentType: "application/merge-patch+json",
        body: { metadata: { annotations: annotation } },
      },
      guardedBody: (rest) => ({
        metadata: { resourceVersion: "<current>", annotations: annotation },
        ...rest,
      }),
    }),
  };
}
