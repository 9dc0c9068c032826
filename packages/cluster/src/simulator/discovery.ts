import { RESOURCES, type ResourceType } from "./resources";

/**
 * The apiserver's legacy discovery documents (`/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>`)
 * for the resources the simulator serves. kubectl resolves `get deploy` through them before it lists
 * anything, so without them an operator could not watch the simulated cluster change. The aggregated
 * discovery format (apidiscovery.k8s.io/v2) is not offered: kubectl falls back to these when the
 * response is plain JSON.
 */

const VERBS_BY_KIND: Record<string, string[]> = {
  default: ["create", "delete", "get", "list", "patch", "update"],
};

const SHORT_NAMES: Record<string, string[]> = {
  namespaces: ["ns"],
  nodes: ["no"],
  pods: ["po"],
  events: ["ev"],
  configmaps: ["cm"],
  deployments: ["deploy"],
  replicasets: ["rs"],
  statefulsets: ["sts"],
  daemonsets: ["ds"],
  horizontalpodautoscalers: ["hpa"],
  poddisruptionbudgets: ["pdb"],
  networkpolicies: ["netpol"],
};

const SUBRESOURCES: Record<string, string[]> = {
  pods: ["log", "eviction"],
  deployments: ["scale"],
  replicasets: ["scale"],
  statefulsets: ["scale"],
};

const groupVersion = (type: ResourceType) => (type.group ? `${type.group}/${type.version}` : type.version);

function resourceList(types: readonly ResourceType[], version: string) {
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: version,
    resources: types.flatMap((type) => [
      {
        name: type.plural,
        singularName: type.kind.toLowerCase(),
        namespaced: type.namespaced,
        kind: type.kind,
        verbs: VERBS_BY_KIND[type.plural] ?? VERBS_BY_KIND.default,
        ...(SHORT_NAMES[type.plural] ? { shortNames: SHORT_NAMES[type.plural] } : {}),
      },
      ...(SUBRESOURCES[type.plural] ?? []).map((sub) => ({
        name: `${type.plural}/${sub}`,
        singularName: "",
        namespaced: type.namespaced,
        kind: sub === "scale" ? "Scale" : sub === "eviction" ? "Eviction" : type.kind,
        verbs: sub === "log" ? ["get"] : sub === "eviction" ? ["create"] : ["get", "patch", "update"],
      })),
    ]),
  };
}

/** The discovery document for a path, or undefined when the path is not a discovery path. */
export function discovery(pathname: string, serverAddress: string): unknown {
  const parts = pathname.split("/").filter(Boolean);
  if (parts.length === 1 && parts[0] === "api") {
    return {
      kind: "APIVersions",
      versions: ["v1"],
      serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
    };
  }
  if (parts.length === 1 && parts[0] === "apis") {
    const groups = new Map<string, string>();
    for (const type of RESOURCES) if (type.group) groups.set(type.group, type.version);
    return {
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: [...groups].map(([name, version]) => {
        const preferred = { groupVersion: `${name}/${version}`, version };
        return { name, versions: [preferred], preferredVersion: preferred };
      }),
    };
  }
  if (parts.length === 2 && parts[0] === "api" && parts[1] === "v1") {
    return resourceList(
      RESOURCES.filter((t) => !t.group),
      "v1",
    );
  }
  if (parts.length === 3 && parts[0] === "apis") {
    const version = `${parts[1]}/${parts[2]}`;
    const types = RESOURCES.filter((t) => t.group && groupVersion(t) === version);
    return types.length ? resourceList(types, version) : undefined;
  }
  if (parts.length === 1 && parts[0] === "version") {
    return { major: "1", minor: "33", gitVersion: "v1.33.0-kubernaut-simulator", platform: "linux/amd64" };
  }
  return undefined;
}
