import { formatQuantity } from "@kubernaut/workflows";
import type { ClusterAccess, K8s, ObjectRef } from "./access";
import { ExecutionError, statusCode, statusMessage, withKubernetesRetries } from "./errors";
import { podHealth, rolloutHistory } from "./inspect";
import { specHash } from "./spec-hash";

/** Stamped on every object an execution changes, in the same write: a retry that finds it does nothing. */
export const REMEDIATION_ANNOTATION = "kubernaut.ai/remediation-id";

export type ParameterValue = string | number | boolean;

export interface ExecutionRequest {
  remediationId: string;
  actionType: string;
  /** Whether the workflow changes the target's spec (refused on GitOps-managed targets). */
  changesSpec: boolean;
  target: ObjectRef;
  parameters: Record<string, ParameterValue>;
}

export interface ExecutionResult {
  alreadyApplied: boolean;
  preHash: string;
  postHash: string;
  summary: string;
}

type Apply = (access: ClusterAccess, current: K8s, request: ExecutionRequest) => Promise<string>;

const annotate = (current: K8s, remediationId: string) => ({
  ...(current.metadata?.annotations ?? {}),
  [REMEDIATION_ANNOTATION]: remediationId,
});

/**
 * Puts an earlier pod template back, in one JSON patch that tests the resourceVersion (a concurrent
 * writer makes it a 409, redone on fresh state) and stamps the annotation in the same write.
 */
const restoreTemplate = (current: K8s, template: unknown, remediationId: string) => ({
  strategy: "json" as const,
  body: [
    { op: "test", path: "/metadata/resourceVersion", value: current.metadata.resourceVersion },
    { op: "replace", path: "/spec/template", value: template },
    {
      op: current.metadata.annotations ? "replace" : "add",
      path: "/metadata/annotations",
      value: annotate(current, remediationId),
    },
  ],
});

/** A merge/strategic patch body carrying the resourceVersion precondition and the annotation. */
const guarded = (current: K8s, remediationId: string, rest: Record<string, unknown>) => ({
  metadata: {
    resourceVersion: current.metadata.resourceVersion,
    annotations: { [REMEDIATION_ANNOTATION]: remediationId },
  },
  ...rest,
});

const APPLY: Record<string, Apply> = {
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
    await access.patch(request.target, restoreTemplate(current, template, request.remediationId));
    return `rolled back to revision ${target.revision} (${target.images.join(", ")})`;
  },

  /** Delete the least healthy pod (its controller replaces it), or restart the rollout. */
  RestartPod: async (access, current, request) => {
    if (request.parameters.mode === "rolloutRestart") {
      await access.patch(request.target, {
        strategy: "strategic",
        body: guarded(current, request.remediationId, {
          spec: {
            template: {
              metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": new Date().toISOString() } },
            },
          },
        }),
      });
      return "restarted the rollout";
    }
    const pods = (await access.podsOf(current)).map((p) => ({ pod: p, health: podHealth(p) }));
    const victim = pods.sort(
      (a, b) => Number(a.health.ready) - Number(b.health.ready) || b.health.restarts - a.health.restarts,
    )[0];
    if (!victim)
      throw new ExecutionError(
        "PreconditionFailed",
        `${request.target.kind} ${request.target.name} has no pods`,
      );
    // Annotate first (with the precondition), so a retry after the delete knows it was done.
    await access.patch(request.target, {
      strategy: "merge",
      body: guarded(current, request.remediationId, {}),
    });
    await access.core.deleteNamespacedPod({
      name: victim.health.name,
      namespace: victim.pod.metadata.namespace,
    });
    return `deleted pod ${victim.health.name} (${victim.health.waiting ?? victim.health.phase}, ${victim.health.restarts} restarts)`;
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
        `${request.target.kind} ${request.target.name} has no container ${container}`,
      );
    }
    await access.patch(request.target, {
      strategy: "strategic",
      body: guarded(current, request.remediationId, {
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
      body: guarded(current, request.remediationId, { spec: { replicas } }),
    });
    return `scaled from ${current.spec?.replicas} to ${replicas} replicas`;
  },

  /** Raises maxReplicas of the HPA that targets the workload. */
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
      { strategy: "merge", body: guarded(hpa, request.remediationId, { spec: { maxReplicas } }) },
    );
    // The workload carries the annotation too: it is the remediation's target and the idempotency marker.
    await access.patch(request.target, {
      strategy: "merge",
      body: guarded(current, request.remediationId, {}),
    });
    return `raised ${hpa.metadata.name} maxReplicas from ${hpa.spec.maxReplicas} to ${maxReplicas}`;
  },

  /** Cordon, then evict every pod that is not a DaemonSet's; a PodDisruptionBudget stops the drain. */
  CordonDrainNode: async (access, current, request) => {
    await access.patch(request.target, {
      strategy: "merge",
      body: guarded(current, request.remediationId, { spec: { unschedulable: true } }),
    });
    if (request.parameters.drain === false) return `cordoned ${current.metadata.name}`;
    const pods = (
      await access.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${current.metadata.name}` })
    ).items as K8s[];
    const evictable = pods.filter(
      (p) => !(p.metadata?.ownerReferences ?? []).some((o: K8s) => o.kind === "DaemonSet"),
    );
    const evicted: string[] = [];
    for (const pod of evictable) {
      try {
        await access.core.createNamespacedPodEviction({
          name: pod.metadata.name,
          namespace: pod.metadata.namespace,
          body: { metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace } },
        });
        evicted.push(pod.metadata.name);
      } catch (error) {
        if (statusCode(error) === 429) {
          throw new ExecutionError(
            "DisruptionBudgetViolated",
            `drain of ${current.metadata.name} stopped: evicting ${pod.metadata.namespace}/${pod.metadata.name} would violate its PodDisruptionBudget (${statusMessage(error)}); cordoned, ${evicted.length} pod(s) evicted`,
          );
        }
        throw error;
      }
    }
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
    await access.patch(request.target, restoreTemplate(current, template, request.remediationId));
    return `rolled back to controllerrevision ${target.metadata.name} (revision ${target.revision})`;
  },
};

export const SUPPORTED_ACTIONS = Object.keys(APPLY);

/**
 * Runs one workflow against the cluster (DESIGN §3.7). Idempotent under retries: a target already
 * carrying this remediation's annotation is not changed again. Each apply reads fresh state and writes
 * with a resourceVersion precondition, so a 409 means someone else moved first and the apply is redone
 * on what they left. A spec-changing workflow on a GitOps-managed target is refused: Argo CD or Flux
 * would revert it.
 */
export async function executeWorkflow(
  access: ClusterAccess,
  request: ExecutionRequest,
  options: { gitOpsManaged?: boolean } = {},
): Promise<ExecutionResult> {
  const apply = APPLY[request.actionType];
  if (!apply)
    throw new ExecutionError("PreconditionFailed", `no executor for action type ${request.actionType}`);
  const what = `${request.actionType} on ${request.target.kind} ${request.target.namespace ? `${request.target.namespace}/` : ""}${request.target.name}`;
  const initial = await withKubernetesRetries(`reading ${what}`, () => access.read(request.target));
  if (initial.metadata?.annotations?.[REMEDIATION_ANNOTATION] === request.remediationId) {
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
  let summary = "";
  await withKubernetesRetries(what, async () => {
    const current = await access.read(request.target);
    if (current.metadata?.annotations?.[REMEDIATION_ANNOTATION] === request.remediationId) return;
    summary = await apply(access, current, request);
  });
  const after = await withKubernetesRetries(`reading ${what}`, () => access.read(request.target));
  return {
    alreadyApplied: false,
    preHash,
    postHash: await specHash(request.target.kind, after, access.core),
    summary,
  };
}

/** Whether the target's rollout has converged after an execution. */
export async function rolloutConverged(
  access: ClusterAccess,
  target: ObjectRef,
): Promise<{ converged: boolean; detail: string }> {
  const current = await withKubernetesRetries(`reading ${target.kind} ${target.name}`, () =>
    access.read(target),
  );
  if (target.kind === "Node") {
    return {
      converged: current.spec?.unschedulable === true,
      detail: current.spec?.unschedulable ? "cordoned" : "schedulable",
    };
  }
  const want = current.spec?.replicas ?? 1;
  const status = current.status ?? {};
  const generationSeen = (status.observedGeneration ?? 0) >= (current.metadata?.generation ?? 0);
  const updated = status.updatedReplicas ?? status.replicas ?? 0;
  const ready = status.readyReplicas ?? 0;
  return {
    converged: generationSeen && updated >= want && ready >= want,
    detail: `${ready}/${want} ready, ${updated} updated, generation ${status.observedGeneration ?? 0}/${current.metadata?.generation ?? 0}`,
  };
}

/**
 * What an execution would send, for a dry run (Level 1/2): the patch body or the API calls, with the
 * parameters filled in, without touching the cluster. Preconditions read at execution time (the
 * resourceVersion, the revision's template) are shown as placeholders.
 */
export function plannedChange(request: ExecutionRequest): {
  calls: Array<{ method: string; path: string; contentType?: string; body?: unknown }>;
} {
  const t = request.target;
  const base =
    t.kind === "Node"
      ? `/api/v1/nodes/${t.name}`
      : `/apis/apps/v1/namespaces/${t.namespace}/${t.kind === "StatefulSet" ? "statefulsets" : "deployments"}/${t.name}`;
  const annotation = { [REMEDIATION_ANNOTATION]: request.remediationId };
  const guardedBody = (rest: Record<string, unknown>) => ({
    metadata: { resourceVersion: "<current>", annotations: annotation },
    ...rest,
  });
  switch (request.actionType) {
    case "RollbackDeployment":
    case "RollbackStatefulSet":
      return {
        calls: [
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
              { op: "add", path: "/metadata/annotations", value: annotation },
            ],
          },
        ],
      };
    case "IncreaseMemoryLimits":
      return {
        calls: [
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
                        resources: {
                          limits: { memory: formatQuantity(Number(request.parameters.memoryLimit)) },
                        },
                      },
                    ],
                  },
                },
              },
            }),
          },
        ],
      };
    case "ScaleReplicas":
      return {
        calls: [
          {
            method: "PATCH",
            path: base,
            contentType: "application/merge-patch+json",
            body: guardedBody({ spec: { replicas: request.parameters.replicas } }),
          },
        ],
      };
    case "PatchHPA":
      return {
        calls: [
          {
            method: "PATCH",
            path: `/apis/autoscaling/v2/namespaces/${t.namespace}/horizontalpodautoscalers/<hpa targeting ${t.name}>`,
            contentType: "application/merge-patch+json",
            body: guardedBody({ spec: { maxReplicas: request.parameters.maxReplicas } }),
          },
        ],
      };
    case "RestartPod":
      return request.parameters.mode === "rolloutRestart"
        ? {
            calls: [
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
            ],
          }
        : {
            calls: [
              {
                method: "PATCH",
                path: base,
                contentType: "application/merge-patch+json",
                body: guardedBody({}),
              },
              {
                method: "DELETE",
                path: `/api/v1/namespaces/${t.namespace}/pods/<least healthy pod of ${t.name}>`,
              },
            ],
          };
    case "CordonDrainNode":
      return {
        calls: [
          {
            method: "PATCH",
            path: base,
            contentType: "application/merge-patch+json",
            body: guardedBody({ spec: { unschedulable: true } }),
          },
          ...(request.parameters.drain === false
            ? []
            : [
                {
                  method: "POST",
                  path: `/api/v1/namespaces/<ns>/pods/<each non-DaemonSet pod on ${t.name}>/eviction`,
                },
              ]),
        ],
      };
    default:
      return { calls: [] };
  }
}
