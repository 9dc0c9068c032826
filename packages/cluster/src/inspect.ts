import type { ClusterAccess, K8s } from "./access";
import { specHash } from "./spec-hash";

/** One line per pod of what matters for remediation: ready, restarts, why it last died, why it waits. */
export interface PodHealth {
  name: string;
  ready: boolean;
  phase: string;
  restarts: number;
  waiting?: string;
  lastTermination?: string;
  node?: string;
}

export function podHealth(pod: K8s): PodHealth {
  const statuses = (pod.status?.containerStatuses ?? []) as K8s[];
  const waiting = statuses.map((s) => s.state?.waiting?.reason).find(Boolean);
  const lastTermination = statuses.map((s) => s.lastState?.terminated?.reason).find(Boolean);
  return {
    name: pod.metadata?.name,
    ready: (pod.status?.conditions ?? []).some((c: K8s) => c.type === "Ready" && c.status === "True"),
    phase: pod.status?.phase ?? "Unknown",
    restarts: statuses.reduce((sum, s) => sum + (s.restartCount ?? 0), 0),
    ...(waiting ? { waiting } : {}),
    ...(lastTermination ? { lastTermination } : {}),
    ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}),
  };
}

export interface Revision {
  revision: number;
  name: string;
  template: K8s;
  images: string[];
}

/** A Deployment's rollout history from its ReplicaSets, newest first. */
export async function rolloutHistory(access: ClusterAccess, deployment: K8s): Promise<Revision[]> {
  const namespace = deployment.metadata.namespace as string;
  const uid = deployment.metadata.uid as string;
  const rses = (await access.apps.listNamespacedReplicaSet({ namespace })).items as K8s[];
  return rses
    .filter((rs) => (rs.metadata?.ownerReferences ?? []).some((o: K8s) => o.uid === uid))
    .map((rs) => ({
      revision: Number(rs.metadata?.annotations?.["deployment.kubernetes.io/revision"] ?? 0),
      name: rs.metadata?.name,
      template: rs.spec?.template,
      images: (rs.spec?.template?.spec?.containers ?? []).map((c: K8s) => c.image),
    }))
    .sort((a, b) => b.revision - a.revision);
}

/**
 * Labels the policy and the executors care about (DESIGN §3.3). GitOps markers are Argo CD's tracking
 * annotation/instance label and Flux's kustomize/helm labels: a spec change there would be reverted.
 */
export function detectLabels(
  target: K8s,
  /** `podLabels`: the labels PDBs select by (a workload's pod template's unless given: a Pod's own). */
  context: { pdbs?: K8s[]; hpas?: K8s[]; podLabels?: Record<string, string> } = {},
): Record<string, unknown> {
  const labels = (target.metadata?.labels ?? {}) as Record<string, string>;
  const annotations = (target.metadata?.annotations ?? {}) as Record<string, string>;
  const argo =
    annotations["argocd.argoproj.io/tracking-id"] !== undefined ||
    labels["argocd.argoproj.io/instance"] !== undefined;
  const flux =
    labels["kustomize.toolkit.fluxcd.io/name"] !== undefined ||
    labels["helm.toolkit.fluxcd.io/name"] !== undefined;
  const podLabels =
    context.podLabels ?? ((target.spec?.template?.metadata?.labels ?? {}) as Record<string, string>);
  const pdbProtected = (context.pdbs ?? []).some((pdb) =>
    Object.entries((pdb.spec?.selector?.matchLabels ?? {}) as Record<string, string>).every(
      ([k, v]) => podLabels[k] === v,
    ),
  );
  const hpaEnabled = (context.hpas ?? []).some(
    (hpa) =>
      hpa.spec?.scaleTargetRef?.kind === target.kind &&
      hpa.spec?.scaleTargetRef?.name === target.metadata?.name,
  );
  const templateAnnotations = (target.spec?.template?.metadata?.annotations ?? {}) as Record<string, string>;
  return {
    gitOpsManaged: argo || flux,
    ...(argo ? { gitOpsTool: "argocd" } : flux ? { gitOpsTool: "flux" } : {}),
    helmManaged: labels["app.kubernetes.io/managed-by"] === "Helm",
    pdbProtected,
    hpaEnabled,
    stateful: target.kind === "StatefulSet",
    serviceMesh:
      templateAnnotations["sidecar.istio.io/inject"] === "true" ||
      templateAnnotations["linkerd.io/inject"] === "enabled",
  };
}

export interface Evidence {
  target: {
    kind: string;
    name: string;
    namespace?: string;
    replicas?: number;
    generation?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    /** For nodes: the Ready condition. */
    ready?: boolean;
    /** The desired state's hash (workloads; see spec-hash.ts). */
    specHash?: string;
  };
  /** How long ago the newest revision was rolled out. */
  rolloutAgeMs?: number;
  hpa?: {
    name: string;
    minReplicas: number;
    maxReplicas: number;
    currentReplicas: number;
    saturated: boolean;
  };
  pods: PodHealth[];
  events: Array<{ reason: string; message: string; object: string; count: number; last?: string }>;
  logs: Array<{ pod: string; container: string; previous: boolean; tail: string }>;
  rollout: Array<{ revision: number; images: string[]; changed: string[] }>;
  resources: Array<{ container: string; requests: Record<string, string>; limits: Record<string, string> }>;
  nodes: Array<{ name: string; ready: boolean; unschedulable: boolean; pressure: string[] }>;
  detectedLabels: Record<string, unknown>;
  /** Detections that could not be made (Kubernaut's names: pdbProtected, hpaEnabled, …). */
  failedDetections?: string[];
}

/**
 * Everything an investigator (rules or LLM) looks at for a workload, read once: pod health, recent
 * events, current and previous container logs of the unhealthiest pod, the rollout history with what
 * changed between revisions, requests and limits, the conditions of the nodes its pods run on, and the
 * detected labels (PDB, HPA, network policies, GitOps, Helm, mesh).
 */
export async function gatherEvidence(
  access: ClusterAccess,
  ref: { kind: string; name: string; namespace?: string },
): Promise<Evidence> {
  const target = await access.read(ref);
  const namespace = ref.namespace ?? "default";
  if (ref.kind === "Node") {
    const conditions = (target.status?.conditions ?? []) as K8s[];
    const ready = conditions.find((c) => c.type === "Ready")?.status !== "False";
    return {
      target: { kind: "Node", name: ref.name, ready },
      pods: [],
      events: [],
      logs: [],
      rollout: [],
      resources: [],
      nodes: [
        {
          name: ref.name,
          ready,
          unschedulable: target.spec?.unschedulable === true,
          pressure: conditions
            .filter((c) => c.type !== "Ready" && c.status === "True")
            .map((c) => c.type as string),
        },
      ],
      detectedLabels: { sensitive: true },
    };
  }
  // A Pod target is its own one pod: its health, events, logs and node are the evidence, so the
  // alignment gate can check a restart against it like against a workload's pods.
  const isPod = ref.kind === "Pod";
  const podSpec = (isPod ? target.spec : target.spec?.template?.spec) as K8s | undefined;
  const podObjects = isPod ? [target] : target.spec?.selector ? await access.podsOf(target) : [];
  const pods = podObjects.map(podHealth);
  const names = new Set([ref.name, ...pods.map((p) => p.name)]);
  const events = ((await access.core.listNamespacedEvent({ namespace })).items as K8s[])
    .filter((e) => names.has(e.involvedObject?.name))
    .slice(-20)
    .map((e) => ({
      reason: e.reason,
      message: String(e.message ?? "").slice(0, 300),
      object: `${e.involvedObject?.kind}/${e.involvedObject?.name}`,
      count: e.count ?? 1,
      ...(e.lastTimestamp ? { last: new Date(e.lastTimestamp).toISOString() } : {}),
    }));
  const worst = [...pods].sort((a, b) => Number(a.ready) - Number(b.ready) || b.restarts - a.restarts)[0];
  const logs: Evidence["logs"] = [];
  if (worst) {
    const container = (podSpec?.containers ?? [])[0]?.name as string | undefined;
    for (const previous of [false, true]) {
      try {
        const text = await access.core.readNamespacedPodLog({
          name: worst.name,
          namespace,
          previous,
          tailLines: 20,
          ...(container ? { container } : {}),
        });
        logs.push({ pod: worst.name, container: container ?? "", previous, tail: String(text).slice(-2000) });
      } catch {
        // No previous container (never restarted) or logs unavailable: nothing to add.
      }
    }
  }
  const rollout: Evidence["rollout"] = [];
  let rolloutAgeMs: number | undefined;
  if (ref.kind === "Deployment") {
    const history = await rolloutHistory(access, target);
    const newest = history[0]
      ? ((await access.apps.readNamespacedReplicaSet({ name: history[0].name, namespace })) as K8s)
      : undefined;
    if (newest?.metadata?.creationTimestamp)
      rolloutAgeMs = Date.now() - new Date(newest.metadata.creationTimestamp).getTime();
    history.forEach((revision, i) => {
      const older = history[i + 1];
      const changed = older
        ? revision.images.flatMap((image, c) =>
            older.images[c] !== image ? [`image ${older.images[c]} → ${image}`] : [],
          )
        : [];
      rollout.push({ revision: revision.revision, images: revision.images, changed });
    });
  }
  const resources = ((podSpec?.containers ?? []) as K8s[]).map((c) => ({
    container: c.name,
    requests: c.resources?.requests ?? {},
    limits: c.resources?.limits ?? {},
  }));
  const nodeNames = [...new Set(pods.map((p) => p.node).filter((n): n is string => Boolean(n)))];
  const nodes = await Promise.all(
    nodeNames.map(async (name) => {
      const node = (await access.core.readNode({ name })) as K8s;
      const conditions = (node.status?.conditions ?? []) as K8s[];
      return {
        name,
        ready: conditions.find((c) => c.type === "Ready")?.status !== "False",
        unschedulable: node.spec?.unschedulable === true,
        pressure: conditions
          .filter((c) => c.type !== "Ready" && c.status === "True")
          .map((c) => c.type as string),
      };
    }),
  );
  // A list that fails (RBAC, an API the cluster does not serve) leaves its label false and is named
  // in failedDetections, as Kubernaut does, so a policy can tell "no PDB" from "could not tell".
  const failedDetections: string[] = [];
  const listed = (detection: string, list: Promise<{ items: unknown[] }>) =>
    list
      .then((l) => l.items as K8s[])
      .catch((): K8s[] => {
        failedDetections.push(detection);
        return [];
      });
  const [pdbs, hpas, policies] = await Promise.all([
    listed("pdbProtected", access.policy.listNamespacedPodDisruptionBudget({ namespace })),
    listed("hpaEnabled", access.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace })),
    listed("networkIsolated", access.networking.listNamespacedNetworkPolicy({ namespace })),
  ]);
  const podLabels = ((isPod ? target.metadata?.labels : target.spec?.template?.metadata?.labels) ??
    {}) as Record<string, string>;
  const hpa = hpas.find(
    (h) => h.spec?.scaleTargetRef?.kind === ref.kind && h.spec?.scaleTargetRef?.name === ref.name,
  );
  const saturated = (hpa?.status?.conditions ?? []).some(
    (c: K8s) => c.type === "ScalingLimited" && c.status === "True",
  );
  const networkIsolated = policies.some((p) =>
    Object.entries((p.spec?.podSelector?.matchLabels ?? {}) as Record<string, string>).every(
      ([k, v]) => podLabels[k] === v,
    ),
  );
  // Compared with earlier remediations' pre-change hashes: equal means a fix was reverted.
  const hash = await specHash(ref.kind, target, access.core).catch(() => undefined);
  return {
    target: {
      kind: ref.kind,
      name: ref.name,
      ...(ref.namespace ? { namespace: ref.namespace } : {}),
      ...(hash ? { specHash: hash } : {}),
      ...(target.spec?.replicas !== undefined ? { replicas: target.spec.replicas } : {}),
      ...(target.metadata?.generation !== undefined ? { generation: target.metadata.generation } : {}),
      ...(target.status?.readyReplicas !== undefined ? { readyReplicas: target.status.readyReplicas } : {}),
      ...(target.status?.updatedReplicas !== undefined
        ? { updatedReplicas: target.status.updatedReplicas }
        : {}),
    },
    ...(rolloutAgeMs !== undefined ? { rolloutAgeMs } : {}),
    ...(hpa
      ? {
          hpa: {
            name: hpa.metadata?.name,
            minReplicas: hpa.spec?.minReplicas ?? 1,
            maxReplicas: hpa.spec?.maxReplicas,
            currentReplicas: hpa.status?.currentReplicas ?? 0,
            saturated,
          },
        }
      : {}),
    pods,
    events,
    logs,
    rollout,
    resources,
    nodes,
    detectedLabels: { ...detectLabels(target, { pdbs, hpas, podLabels }), networkIsolated },
    ...(failedDetections.length > 0 ? { failedDetections: failedDetections.sort() } : {}),
  };
}

/**
 * The controller chain of an object, following each `controller: true` ownerReference (Pod →
 * ReplicaSet → Deployment, Pod → StatefulSet / DaemonSet, Pod → Job → CronJob), as far as the kinds the
 * product can read go. The first entry is the object itself; the last is the workload to act on.
 */
export async function ownerChain(
  access: ClusterAccess,
  start: { kind: string; name: string; namespace: string },
  maxDepth = 5,
): Promise<Array<{ kind: string; name: string }>> {
  const chain: Array<{ kind: string; name: string }> = [{ kind: start.kind, name: start.name }];
  let current = await access.read(start);
  for (let depth = 0; depth < maxDepth; depth++) {
    const references = (current.metadata?.ownerReferences ?? []) as K8s[];
    const controller = references.find((o) => o.controller) ?? references[0];
    if (!controller || !READABLE_OWNERS.has(controller.kind)) break;
    chain.push({ kind: controller.kind, name: controller.name });
    current = await access.read({ kind: controller.kind, name: controller.name, namespace: start.namespace });
  }
  return chain;
}

/** Owners the product reads and acts on; a custom resource's operator owns its own workloads. */
const READABLE_OWNERS = new Set(["ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"]);
