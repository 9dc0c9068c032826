import { type K8sObject, StatusError } from "./store";

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** RFC 7386 JSON merge patch: objects merge, null deletes, everything else (arrays too) replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** The list merge keys of strategic merge patch for the fields the product touches. */
const MERGE_KEYS: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  env: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  ports: "containerPort",
  tolerations: "key",
  conditions: "type",
};

/**
 * Strategic merge patch, as far as workloads need it: like a merge patch, but lists with a merge key
 * (containers by name, env by name, …) merge element-wise instead of being replaced, and an element
 * with `$patch: delete` is removed.
 */
export function strategicMergePatch(target: Json, patch: Json, field?: string): Json {
  if (Array.isArray(patch) && field && MERGE_KEYS[field] && Array.isArray(target)) {
    const key = MERGE_KEYS[field] as string;
    const result = target.map((item) => structuredClone(item)) as Array<Record<string, Json>>;
    for (const item of patch as Array<Record<string, Json>>) {
      const index = result.findIndex((existing) => existing[key] === item[key]);
      if (item.$patch === "delete") {
        if (index >= 0) result.splice(index, 1);
      } else if (index >= 0) {
        result[index] = strategicMergePatch(result[index], item) as Record<string, Json>;
      } else {
        result.push(structuredClone(item));
      }
    }
    return result;
  }
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = strategicMergePatch(result[key], value, key);
  }
  return result;
}

/** RFC 6902 JSON patch (add, remove, replace, test, move, copy) with RFC 6901 pointers. */
export function jsonPatch(target: K8sObject, operations: unknown): K8sObject {
  if (!Array.isArray(operations))
    throw new StatusError(400, "BadRequest", "a JSON patch must be an array of operations");
  let doc: Json = structuredClone(target);
  for (const op of operations as Array<{ op: string; path: string; value?: Json; from?: string }>) {
    const path = parsePointer(op.path);
    switch (op.op) {
      case "add":
        doc = setAt(doc, path, op.value, "add");
        break;
      case "replace":
        getAt(doc, path);
        doc = setAt(doc, path, op.value, "replace");
        break;
      case "remove":
        getAt(doc, path);
        doc = removeAt(doc, path);
        break;
      case "test":
        if (JSON.stringify(getAt(doc, path)) !== JSON.stringify(op.value)) {
          throw new StatusError(422, "Invalid", `the test operation at ${op.path} failed`);
        }
        break;
      case "move":
      case "copy": {
        const from = parsePointer(op.from ?? "");
        const value = structuredClone(getAt(doc, from));
        if (op.op === "move") doc = removeAt(doc, from);
        doc = setAt(doc, path, value, "add");
        break;
      }
      default:
        throw new StatusError(400, "BadRequest", `unsupported JSON patch operation ${op.op}`);
    }
  }
  return doc as K8sObject;
}

function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new StatusError(400, "BadRequest", `invalid JSON pointer ${pointer}`);
  return pointer
    .slice(1)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function getAt(doc: Json, path: string[]): Json {
  let current: Json = doc;
  for (const part of path) {
    if (Array.isArray(current)) current = current[Number(part)];
    else if (isObject(current)) current = current[part];
    else current = undefined;
    if (current === undefined)
      throw new StatusError(422, "Invalid", `path /${path.join("/")} does not exist`);
  }
  return current;
}

function setAt(doc: Json, path: string[], value: Json, mode: "add" | "replace"): Json {
  if (path.length === 0) return structuredClone(value);
  const parent = getAt(doc, path.slice(0, -1));
  const last = path.at(-1) as string;
  if (Array.isArray(parent)) {
    const index = last === "-" ? parent.length : Number(last);
    if (mode === "add") parent.splice(index, 0, structuredClone(value));
    else parent[index] = structuredClone(value);
  } else if (isObject(parent)) {
    parent[last] = structuredClone(value);
  } else {
    throw new StatusError(422, "Invalid", `cannot set /${path.join("/")}`);
  }
  return doc;
}

function removeAt(doc: Json, path: string[]): Json {
  const parent = getAt(doc, path.slice(0, -1));
  const last = path.at(-1) as string;
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (isObject(parent)) delete parent[last];
  return doc;
}
