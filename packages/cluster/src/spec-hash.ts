import { createHash } from "node:crypto";
import { canonicalJson } from "@kubernaut/core";
import type { CoreV1Api, V1PodTemplateSpec } from "@kubernetes/client-node";

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are read generically here.
type K8s = Record<string, any>;

/** ConfigMaps a pod template reads (envFrom, env valueFrom, volumes, projected volumes). */
export function referencedConfigMaps(template: V1PodTemplateSpec | K8s | undefined): string[] {
  const names = new Set<string>();
  const spec = (template as K8s | undefined)?.spec ?? {};
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    for (const from of c.envFrom ?? []) if (from.configMapRef?.name) names.add(from.configMapRef.name);
    for (const env of c.env ?? [])
      if (env.valueFrom?.configMapKeyRef?.name) names.add(env.valueFrom.configMapKeyRef.name);
  }
  for (const v of spec.volumes ?? []) {
    if (v.configMap?.name) names.add(v.configMap.name);
    for (const s of v.projected?.sources ?? []) if (s.configMap?.name) names.add(s.configMap.name);
  }
  return [...names].sort();
}

/**
 * The canonical SHA-256 of a target's desired state (DESIGN §3): the pod template plus the data of
 * the ConfigMaps it references, or the spec for other kinds — never status, managed metadata or
 * `replicas` (an HPA scaling is not drift). Secrets are not read: the product has no permission on them.
 */
export async function specHash(kind: string, object: K8s, core: CoreV1Api): Promise<string> {
  let desired: unknown;
  if (object.spec?.template) {
    const namespace = object.metadata?.namespace as string;
    const configMaps: Record<string, unknown> = {};
    for (const name of referencedConfigMaps(object.spec.template)) {
      try {
        const cm = await core.readNamespacedConfigMap({ name, namespace });
        configMaps[name] = { data: cm.data ?? {}, binaryData: cm.binaryData ?? {} };
      } catch {
        configMaps[name] = null;
      }
    }
    desired = { template: stripTemplate(object.spec.template), configMaps };
  } else {
    const { replicas: _replicas, ...spec } = object.spec ?? {};
    desired = { spec };
  }
  return createHash("sha256")
    .update(`${kind}:${canonicalJson(desired)}`)
    .digest("hex");
}

function stripTemplate(template: K8s): K8s {
  const labels = { ...(template.metadata?.labels ?? {}) };
  // Added by the controllers, not the operator.
  delete labels["pod-template-hash"];
  delete labels["controller-revision-hash"];
  return {
    metadata: { labels, annotations: template.metadata?.annotations ?? {} },
    spec: template.spec ?? {},
  };
}
