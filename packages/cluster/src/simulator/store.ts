import { randomUUID } from "node:crypto";
import { apiVersionOf, byKind, type ResourceType } from "./resources";

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are open-ended JSON documents.
export type K8sObject = Record<string, any>;

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "StatusError";
  }
}

const keyOf = (kind: string, namespace: string | undefined, name: string) =>
  `${kind}/${namespace ?? ""}/${name}`;

/**
 * The simulator's etcd: objects by kind, namespace and name, with a global resourceVersion. Writes
 * that carry a resourceVersion must match the stored one (409 Conflict otherwise), as on a real
 * apiserver, which is what the executors' optimistic concurrency relies on.
 */
export class ObjectStore {
  private readonly objects = new Map<string, K8sObject>();
  private version = 1000;
  /** Called after every change, so controllers can react (set by the simulator). */
  onChange: (() => void) | undefined;

  get(kind: string, namespace: string | undefined, name: string): K8sObject | undefined {
    const object = this.objects.get(keyOf(kind, namespace, name));
    return object ? structuredClone(object) : undefined;
  }

  mustGet(type: ResourceType, namespace: string | undefined, name: string): K8sObject {
    const object = this.get(type.kind, type.namespaced ? namespace : undefined, name);
    if (!object)
      throw new StatusError(
        404,
        "NotFound",
        `${type.plural}${type.group ? `.${type.group}` : ""} "${name}" not found`,
      );
    return object;
  }

  list(kind: string, namespace?: string): K8sObject[] {
    return [...this.objects.values()]
      .filter((o) => o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace))
      .map((o) => structuredClone(o));
  }

  create(object: K8sObject): K8sObject {
    const type = byKind.get(object.kind);
    if (!type) throw new StatusError(400, "BadRequest", `unknown kind ${object.kind}`);
    const meta = object.metadata ?? {};
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomUUID().slice(0, 5)}`;
    if (!meta.name) throw new StatusError(422, "Invalid", `${object.kind}: metadata.name: Required value`);
    const namespace = type.namespaced ? (meta.namespace ?? "default") : undefined;
    const key = keyOf(object.kind, namespace, meta.name);
    if (this.objects.has(key))
      throw new StatusError(409, "AlreadyExists", `${type.plural} "${meta.name}" already exists`);
    const stored: K8sObject = {
      ...object,
      apiVersion: apiVersionOf(type),
      metadata: {
        ...meta,
        ...(namespace ? { namespace } : {}),
        uid: meta.uid ?? randomUUID(),
        resourceVersion: String(++this.version),
        generation: 1,
        creationTimestamp: meta.creationTimestamp ?? new Date().toISOString(),
        labels: meta.labels ?? {},
        annotations: meta.annotations ?? {},
      },
    };
    this.objects.set(key, stored);
    this.onChange?.();
    return structuredClone(stored);
  }

  /** Replaces an object; a resourceVersion in the new object must match (optimistic concurrency). */
  update(object: K8sObject, options: { status?: boolean } = {}): K8sObject {
    const key = keyOf(object.kind, object.metadata.namespace, object.metadata.name);
    const current = this.objects.get(key);
    if (!current)
      throw new StatusError(404, "NotFound", `${object.kind} "${object.metadata.name}" not found`);
    const given = object.metadata.resourceVersion;
    if (given && given !== current.metadata.resourceVersion) {
      throw new StatusError(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${object.kind.toLowerCase()}s "${object.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    const specChanged = !options.status && JSON.stringify(current.spec) !== JSON.stringify(object.spec);
    const stored: K8sObject = {
      ...object,
      metadata: {
        ...object.metadata,
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
        resourceVersion: String(++this.version),
        generation: (current.metadata.generation ?? 1) + (specChanged ? 1 : 0),
      },
    };
    this.objects.set(key, stored);
    this.onChange?.();
    return structuredClone(stored);
  }

  delete(kind: string, namespace: string | undefined, name: string): K8sObject | undefined {
    const key = keyOf(kind, namespace, name);
    const current = this.objects.get(key);
    if (!current) return undefined;
    this.objects.delete(key);
    this.onChange?.();
    return current;
  }
}
