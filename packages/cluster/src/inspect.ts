import type { ClusterAccess, K8s } from "./access";

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
  context: { pdbs?: K8s[]; hpas?: K8s[] } = {},
): Record<string, unknown> {
  const labels = (target.metadata?.labels ?? {}) as Record<string, string>;
  const annotations = (target.metadata?.annotations ?? {}) as Record<string, string>;
  const argo =
    annotations["argocd.argoproj.io/tracking-id"] !== undefined ||
    labels["argocd.argoproj.io/instance"] !== undefined;
  const flux =
    labels["kustomize.toolkit.fluxcd.io/name"] !== undefined ||
    labels["helm.toolkit.fluxcd.io/name"] !== undefined;
  const podLabels = (target.spec?.template?.metadata?.labels ?? {}) as Record<string, string>;
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
