import {
  apiVersionOf,
  type Behaviour,
  byKind,
  type K8sObject,
  parseScenario,
  type Scenario,
  type ScenarioStep,
} from "@kubernaut/cluster/simulator";
import type { KubeConfig } from "@kubernetes/client-node";
import { ApiRequestError, RawApi } from "./api";
import { BEHAVIOUR_CONFIGMAP, BEHAVIOUR_KEY, BEHAVIOUR_LABEL } from "./kubelet";

export interface ApplyScenarioOptions {
  /**
   * Appended to every namespace and node name the scenario uses (`staging` → `staging-sh1`), so test
   * files sharing one control plane can each load the same scenario without touching each other's.
   */
  suffix?: string;
}

/** kube-apiserver refused one of a scenario's objects; names the object and quotes the server. */
export class ScenarioRejectedError extends Error {
  override readonly name = "ScenarioRejectedError";
  constructor(
    readonly object: string,
    readonly code: number,
    serverMessage: string,
  ) {
    super(`scenario: kube-apiserver rejected ${object} (${code}): ${serverMessage}`);
  }
}

const HOSTNAME_LABEL = "kubernetes.io/hostname";

/**
 * Loads a scenario (the simulator's format; see parseScenario) into a real cluster through the API:
 * the Namespaces first, then each namespace's `Behaviour` as a ConfigMap the fake kubelet reads, then
 * the other manifests (created, or server-side applied when they exist) and `Patch` documents
 * (strategic merge) in order. Manifests are sent as written with strict field validation, so a typo
 * fails here, naming the object and the server's message.
 */
export async function applyScenario(
  kubeConfig: KubeConfig,
  yamlText: string,
  options: ApplyScenarioOptions = {},
): Promise<void> {
  const parsed = parseScenario(yamlText);
  const scenario = options.suffix ? renamed(parsed, options.suffix) : parsed;
  const api = new RawApi(kubeConfig);

  const namespaceSteps = scenario.steps.filter((s) => s.type === "create" && s.object.kind === "Namespace");
  for (const step of namespaceSteps) await apply(api, step);

  const namespaces = new Set<string>();
  for (const step of scenario.steps) {
    if (step.type === "create" && step.object.kind === "Namespace") namespaces.add(step.object.metadata.name);
    else if (step.type === "create" && step.object.metadata.namespace)
      namespaces.add(step.object.metadata.namespace);
    else if (step.type === "patch" && step.target.namespace) namespaces.add(step.target.namespace);
  }
  for (const namespace of namespaces) {
    if (scenario.behaviour) await writeBehaviour(api, namespace, scenario.behaviour);
    await waitForDefaultServiceAccount(api, namespace);
  }

  for (const step of scenario.steps) if (!namespaceSteps.includes(step)) await apply(api, step);
}

/** Who owns the fields a scenario sets when it is applied again (server-side apply). */
const FIELD_MANAGER = "kubernaut-scenario";

async function apply(api: RawApi, step: ScenarioStep): Promise<void> {
  if (step.type === "create") {
    const { object } = step;
    const name = describeObject(object.kind, object.metadata.namespace, object.metadata.name);
    try {
      const path = await api.collectionPath(
        String(object.apiVersion ?? ""),
        object.kind,
        object.metadata.namespace,
      );
      try {
        await api.call("POST", `${path}?fieldValidation=Strict`, object);
      } catch (error) {
        if (!(error instanceof ApiRequestError && error.code === 409 && error.reason === "AlreadyExists"))
          throw error;
        // Applied before (a kept data directory, a cluster-scoped object two scenarios share): server-side
        // apply makes it what the scenario says. Creation comes first because apply reports an unknown
        // field as a 500 "failed to create typed patch object", where create gives a plain 400.
        await api.call(
          "PATCH",
          `${path}/${encodeURIComponent(object.metadata.name)}?fieldManager=${FIELD_MANAGER}&force=true&fieldValidation=Strict`,
          object,
          "application/apply-patch+yaml",
        );
      }
    } catch (error) {
      throw rejected(name, error);
    }
    return;
  }
  const { target } = step;
  const name = describeObject(target.kind, target.namespace, target.name);
  const type = byKind.get(target.kind);
  if (!type) throw new ScenarioRejectedError(name, 0, `a scenario Patch cannot target kind ${target.kind}`);
  try {
    const path = await api.collectionPath(apiVersionOf(type), target.kind, target.namespace);
    await api.call(
      "PATCH",
      `${path}/${target.name}?fieldValidation=Strict`,
      step.patch,
      "application/strategic-merge-patch+json",
    );
  } catch (error) {
    throw rejected(`${name} (Patch)`, error);
  }
}

/** The scenario's behaviour model for one namespace, where the fake kubelet looks for it. */
async function writeBehaviour(api: RawApi, namespace: string, behaviour: Behaviour): Promise<void> {
  await apply(api, {
    type: "create",
    object: {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: BEHAVIOUR_CONFIGMAP, namespace, labels: { [BEHAVIOUR_LABEL]: "behaviour" } },
      data: { [BEHAVIOUR_KEY]: JSON.stringify(behaviour) },
    },
  });
}

/**
 * Pods are refused until the ServiceAccount controller has created a namespace's `default` account
 * (the ServiceAccount admission plugin mounts its token), so a scenario's bare Pods wait for it.
 */
async function waitForDefaultServiceAccount(api: RawApi, namespace: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { status } = await api.request("GET", `/api/v1/namespaces/${namespace}/serviceaccounts/default`);
    if (status === 200) return;
    if (status !== 404)
      throw new ScenarioRejectedError(
        `Namespace ${namespace}`,
        status,
        "reading its default ServiceAccount failed",
      );
    if (Date.now() > deadline)
      throw new ScenarioRejectedError(
        `Namespace ${namespace}`,
        404,
        "it does not exist or its default ServiceAccount never appeared (is the namespace in the scenario?)",
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function rejected(name: string, error: unknown): Error {
  if (error instanceof ApiRequestError) return new ScenarioRejectedError(name, error.code, error.message);
  return error instanceof Error ? error : new Error(String(error));
}

function describeObject(kind: string, namespace: string | undefined, name: string): string {
  return `${kind} ${namespace ? `${namespace}/` : ""}${name}`;
}

/** The scenario with `suffix` appended to every namespace and node name, wherever a name refers to one. */
export function renamed(scenario: Scenario, suffix: string): Scenario {
  const ns = (name: string | undefined) => (name === undefined ? undefined : `${name}${suffix}`);
  const steps = scenario.steps.map((step): ScenarioStep => {
    if (step.type === "patch") {
      return {
        ...step,
        target: {
          ...step.target,
          ...(step.target.namespace ? { namespace: ns(step.target.namespace) } : {}),
        },
      };
    }
    const object = structuredClone(step.object);
    if (object.kind === "Namespace" || object.kind === "Node")
      object.metadata.name = ns(object.metadata.name);
    if (object.kind === "Node" && object.metadata.labels?.[HOSTNAME_LABEL])
      object.metadata.labels[HOSTNAME_LABEL] = object.metadata.name;
    if (object.metadata.namespace) object.metadata.namespace = ns(object.metadata.namespace);
    for (const podSpec of [object.spec, object.spec?.template?.spec] as Array<K8sObject | undefined>) {
      if (!podSpec) continue;
      if (typeof podSpec.nodeName === "string") podSpec.nodeName = ns(podSpec.nodeName);
      if (typeof podSpec.nodeSelector?.[HOSTNAME_LABEL] === "string")
        podSpec.nodeSelector[HOSTNAME_LABEL] = ns(podSpec.nodeSelector[HOSTNAME_LABEL]);
    }
    return { type: "create", object };
  });
  if (!scenario.behaviour) return { steps };
  // memoryDemand and load are keyed `<namespace>/<workload>[/<container>]` (or a bare container name).
  const rekey = <T>(record: Record<string, T>) =>
    Object.fromEntries(
      Object.entries(record).map(([key, value]) => {
        const [first, ...rest] = key.split("/");
        return [rest.length > 0 ? [ns(first), ...rest].join("/") : key, value];
      }),
    );
  return {
    steps,
    behaviour: {
      ...scenario.behaviour,
      memoryDemand: rekey(scenario.behaviour.memoryDemand),
      load: rekey(scenario.behaviour.load),
    },
  };
}
