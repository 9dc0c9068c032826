import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Behaviour, ContainerLogUnavailable, modelContainerLog } from "./behaviour";
import { Controllers, isReady } from "./controllers";
import { discovery } from "./discovery";
import { jsonPatch, mergePatch, strategicMergePatch } from "./patch";
import { byPlural, type ResourceType } from "./resources";
import { parseScenario } from "./scenario";
import { matchesFieldSelector, matchesLabelSelector } from "./selectors";
import { type K8sObject, ObjectStore, StatusError } from "./store";
import { asTable, wantsTable } from "./table";

export interface Fault {
  status: number;
  times: number;
  verb?: string;
  resource?: string;
  retryAfterSeconds?: number;
}

/** A concurrent write (see `interleave`): `run` changes the store as another client would. */
export interface Interleaved {
  verb?: string;
  resource?: string;
  times?: number;
  run: (store: ObjectStore) => void;
}

/** One rule of a ClusterRole, as `deploy/rbac.yaml` writes it. */
export interface PolicyRule {
  apiGroups: readonly string[];
  resources: readonly string[];
  verbs: readonly string[];
}

interface Denial {
  verb: string;
  resource: string;
  namespace?: string;
}

/**
 * A loopback HTTP server that speaks the Kubernetes REST API for what the product touches (DESIGN §7),
 * with workload behaviour over time. @kubernetes/client-node talks to it exactly as to a real
 * apiserver; no product code knows it is a simulator. Faults for tests: RBAC denials (403), injected
 * statuses (409/429/5xx) and a rate limit.
 */
export class ClusterSimulator {
  readonly store = new ObjectStore();
  private behaviour: Behaviour = Behaviour.parse({});
  private readonly controllers = new Controllers(this.store, () => this.behaviour);
  private readonly faults: Fault[] = [];
  private readonly denials: Denial[] = [];
  private readonly interleaved: Interleaved[] = [];
  private readonly roles = new Map<string, readonly PolicyRule[]>();
  private reconciling = false;
  readonly requests: Array<{ verb: string; path: string; contentType?: string }> = [];

  constructor() {
    this.store.onChange = () => this.reconcile();
  }

  /** Loads a scenario: Kubernetes manifests plus a `behaviour` section (YAML, several documents allowed). */
  loadScenario(yamlText: string): void {
    const scenario = parseScenario(yamlText);
    if (scenario.behaviour) this.setBehaviour(scenario.behaviour);
    for (const step of scenario.steps) {
      if (step.type === "create") {
        this.store.create(step.object);
        continue;
      }
      this.reconcile();
      const { target } = step;
      const current = this.store.get(target.kind, target.namespace, target.name);
      if (!current)
        throw new Error(`scenario Patch: ${target.kind} ${target.namespace}/${target.name} does not exist`);
      this.store.update({
        ...(strategicMergePatch(current, step.patch) as K8sObject),
        metadata: { ...current.metadata, resourceVersion: undefined },
      });
    }
    this.reconcile();
  }

  setBehaviour(input: unknown): void {
    this.behaviour = Behaviour.parse(input);
    this.reconcile();
  }

  apply(object: K8sObject): K8sObject {
    return this.store.create(object);
  }

  /** The next `times` requests (optionally of a verb/resource) fail with `status`. */
  fail(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  /**
   * Someone else's write that lands right before the next matching request is served — a controller or
   * an operator changing the object between a client's read and its write, which no fault status can
   * express: the request then meets the state that write left.
   */
  interleave(write: Interleaved): void {
    this.interleaved.push({ ...write, times: write.times ?? 1 });
  }

  /**
   * RBAC as a ClusterRole grants it: requests carrying this bearer token may do only what the rules
   * allow (others are 403 with the apiserver's wording). Other tokens are unrestricted, so a test can set
   * a scene with one client and act with the restricted one.
   */
  authorize(token: string, rules: readonly PolicyRule[]): void {
    this.roles.set(token, rules);
  }

  /** RBAC: this verb on this resource is forbidden (optionally only in a namespace). */
  deny(verb: string, resource: string, namespace?: string): void {
    this.denials.push({ verb, resource, ...(namespace ? { namespace } : {}) });
  }

  reconcile(): void {
    if (this.reconciling) return;
    this.reconciling = true;
    try {
      this.controllers.reconcile();
    } finally {
      this.reconciling = false;
    }
  }

  async listen(port = 0): Promise<{ url: string; close: () => Promise<void> }> {
    const server = createServer((request, response) => {
      void this.handle(request, response);
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    const { port: bound } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${bound}`,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const reply = (status: number, body: unknown, contentType = "application/json") => {
      response.writeHead(status, { "content-type": contentType });
      response.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    try {
      const url = new URL(request.url ?? "/", `http://${request.headers.host ?? "127.0.0.1"}`);
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString("utf8");
      this.reconcile();
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
      const result = this.route(
        request.method ?? "GET",
        url,
        text,
        request.headers["content-type"],
        token,
        request.headers.accept,
      );
      if (typeof result === "string") reply(200, result, "text/plain");
      else reply(result.status ?? 200, result.body);
    } catch (error) {
      const e =
        error instanceof StatusError
          ? error
          : new StatusError(500, "InternalError", (error as Error).message);
      if (e.code === 429)
        response.setHeader("retry-after", String((e.details?.retryAfterSeconds as number | undefined) ?? 1));
      reply(e.code, {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: e.message,
        reason: e.reason,
        code: e.code,
        ...(e.details ? { details: e.details } : {}),
      });
    }
  }

  private route(
    method: string,
    url: URL,
    text: string,
    contentType: string | undefined,
    token?: string,
    accept?: string,
  ): { status?: number; body: unknown } | string {
    if (method === "GET") {
      const document = discovery(url.pathname, url.host);
      if (document) return { body: document };
    }
    const parts = url.pathname.split("/").filter(Boolean);
    // /api/v1/... or /apis/<group>/<version>/...
    const rest = parts[0] === "api" ? parts.slice(2) : parts[0] === "apis" ? parts.slice(3) : undefined;
    if (!rest)
      throw new StatusError(
        404,
        "NotFound",
        `the server could not find the requested resource (${url.pathname})`,
      );
    let namespace: string | undefined;
    let index = 0;
    if (rest[0] === "namespaces" && rest.length >= 3) {
      namespace = rest[1];
      index = 2;
    }
    const plural = rest[index];
    const name = rest[index + 1];
    const subresource = rest[index + 2];
    const type = plural ? byPlural.get(plural) : undefined;
    if (!type)
      throw new StatusError(
        404,
        "NotFound",
        `the server could not find the requested resource (${url.pathname})`,
      );
    const verb = verbOf(method, name, subresource);
    const resource = subresource ? `${plural}/${subresource}` : (plural as string);
    this.requests.push({ verb, path: url.pathname, ...(contentType ? { contentType } : {}) });
    this.checkAccess(verb, resource, type, namespace, name, token);
    this.injectFault(verb, resource);
    this.runInterleaved(verb, resource);

    if (!name) {
      if (method === "GET") {
        const list = this.list(type, namespace, url);
        return { body: wantsTable(accept) ? asTable(type, list.items) : list };
      }
      if (method === "POST")
        return {
          status: 201,
          body: this.store.create({
            ...(JSON.parse(text) as K8sObject),
            kind: type.kind,
            metadata: { ...(JSON.parse(text) as K8sObject).metadata, ...(namespace ? { namespace } : {}) },
          }),
        };
      throw new StatusError(405, "MethodNotAllowed", `${method} is not allowed on ${url.pathname}`);
    }
    if (subresource === "log") return this.logs(namespace, name, url);
    if (subresource === "eviction") return this.evict(namespace, name);
    if (subresource === "scale")
      return { body: this.scale(type, namespace, name, method, text, contentType) };
    switch (method) {
      case "GET": {
        const object = this.store.mustGet(type, namespace, name);
        return { body: wantsTable(accept) ? asTable(type, [object]) : object };
      }
      case "PUT":
        return { body: this.store.update({ ...(JSON.parse(text) as K8sObject), kind: type.kind }) };
      case "PATCH":
        return { body: this.patch(type, namespace, name, text, contentType) };
      case "DELETE": {
        const current = this.store.mustGet(type, namespace, name);
        checkDeletePreconditions(current, text);
        this.store.delete(type.kind, type.namespaced ? namespace : undefined, name);
        return { body: current };
      }
      default:
        throw new StatusError(405, "MethodNotAllowed", `${method} is not allowed`);
    }
  }

  private list(type: ResourceType, namespace: string | undefined, url: URL) {
    const items = this.store
      .list(type.kind, type.namespaced ? namespace : undefined)
      .filter((o) =>
        matchesLabelSelector(o.metadata.labels, url.searchParams.get("labelSelector") ?? undefined),
      )
      .filter((o) => matchesFieldSelector(o, url.searchParams.get("fieldSelector") ?? undefined))
      // etcd's key order, as a real apiserver lists: by namespace, then name.
      .sort((a, b) => {
        const ka = `${a.metadata.namespace ?? ""}/${a.metadata.name}`;
        const kb = `${b.metadata.namespace ?? ""}/${b.metadata.name}`;
        return ka < kb ? -1 : ka > kb ? 1 : 0;
      });
    return {
      kind: `${type.kind}List`,
      apiVersion: type.group ? `${type.group}/${type.version}` : type.version,
      metadata: { resourceVersion: "1" },
      items,
    };
  }

  private patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    text: string,
    contentType = "",
  ): K8sObject {
    const current = this.store.mustGet(type, namespace, name);
    const body = JSON.parse(text) as unknown;
    let next: K8sObject;
    if (contentType.includes("json-patch")) {
      try {
        next = jsonPatch(current, body);
      } catch (error) {
        // kube-apiserver answers any JSON patch that does not apply — a failed `test` included, which is
        // how a JSON patch carries an optimistic lock — with 422 Invalid, never 409 Conflict.
        if (error instanceof StatusError && error.code === 422) {
          throw new StatusError(
            422,
            "Invalid",
            "the server rejected our request due to an error in our request",
            {
              causes: [{ message: error.message }],
            },
          );
        }
        throw error;
      }
    } else if (contentType.includes("strategic-merge-patch"))
      next = strategicMergePatch(current, body) as K8sObject;
    else if (contentType.includes("merge-patch")) next = mergePatch(current, body) as K8sObject;
    else
      throw new StatusError(
        415,
        "UnsupportedMediaType",
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${contentType})`,
      );
    // A resourceVersion in the patch is a precondition; without one the patch applies to the latest.
    const precondition = (body as K8sObject)?.metadata?.resourceVersion;
    next.metadata.resourceVersion = precondition ?? current.metadata.resourceVersion;
    return this.store.update(next);
  }

  private scale(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    method: string,
    text: string,
    contentType?: string,
  ) {
    const current = this.store.mustGet(type, namespace, name);
    if (method !== "GET") {
      const body = JSON.parse(text) as K8sObject;
      const replicas = contentType?.includes("json-patch")
        ? (jsonPatch({ spec: { replicas: current.spec.replicas } }, body).spec.replicas as number)
        : body.spec?.replicas;
      if (typeof replicas !== "number" || replicas < 0)
        throw new StatusError(422, "Invalid", "spec.replicas: Invalid value");
      current.spec.replicas = replicas;
      if (body.metadata?.resourceVersion) current.metadata.resourceVersion = body.metadata.resourceVersion;
      this.store.update(current);
    }
    const latest = this.store.mustGet(type, namespace, name);
    return {
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: { name, namespace, resourceVersion: latest.metadata.resourceVersion },
      spec: { replicas: latest.spec.replicas },
      status: { replicas: latest.status?.replicas ?? 0 },
    };
  }

  private logs(namespace: string | undefined, name: string, url: URL): string {
    const pod = this.store.mustGet(byPlural.get("pods") as ResourceType, namespace, name);
    const container = url.searchParams.get("container") ?? pod.spec.containers?.[0]?.name;
    try {
      return modelContainerLog(pod, container, url.searchParams.get("previous") === "true", this.behaviour);
    } catch (error) {
      if (error instanceof ContainerLogUnavailable) throw new StatusError(400, "BadRequest", error.message);
      throw error;
    }
  }

  private evict(namespace: string | undefined, name: string) {
    const pod = this.store.mustGet(byPlural.get("pods") as ResourceType, namespace, name);
    for (const pdb of this.store.list("PodDisruptionBudget", namespace)) {
      const selector = pdb.spec.selector?.matchLabels ?? {};
      const covers = Object.entries(selector).every(([k, v]) => pod.metadata.labels?.[k] === v);
      if (covers && isReady(pod) && (pdb.status?.disruptionsAllowed ?? 0) <= 0) {
        throw new StatusError(
          429,
          "TooManyRequests",
          "Cannot evict pod as it would violate the pod's disruption budget.",
          {
            causes: [
              {
                reason: "DisruptionBudget",
                message: `The disruption budget ${pdb.metadata.name} needs ${pdb.status?.desiredHealthy} healthy pods and has ${pdb.status?.currentHealthy} currently`,
              },
            ],
            retryAfterSeconds: 10,
          },
        );
      }
    }
    this.store.delete("Pod", namespace, name);
    return { status: 201, body: { kind: "Status", apiVersion: "v1", status: "Success", code: 201 } };
  }

  private checkAccess(
    verb: string,
    resource: string,
    type: ResourceType,
    namespace: string | undefined,
    name: string | undefined,
    token: string | undefined,
  ): void {
    const denied = this.denials.find(
      (d) => d.verb === verb && d.resource === resource && (!d.namespace || d.namespace === namespace),
    );
    const rules = token ? this.roles.get(token) : undefined;
    const granted =
      !rules ||
      rules.some(
        (rule) =>
          rule.apiGroups.some((g) => g === "*" || g === type.group) &&
          rule.resources.some((r) => r === "*" || r === resource) &&
          rule.verbs.some((v) => v === "*" || v === verb),
      );
    if (!denied && granted) return;
    // The real apiserver's wording: `deployments.apps "x" is forbidden: User "…" cannot patch resource …`.
    const resourceName = type.group ? `${type.plural}.${type.group}` : type.plural;
    const target = name ? `${resourceName} "${name}"` : resourceName;
    throw new StatusError(
      403,
      "Forbidden",
      `${target} is forbidden: User "system:serviceaccount:kubernaut:kubernaut" cannot ${verb} resource "${resource}" in API group "${type.group}"${namespace ? ` in the namespace "${namespace}"` : " at the cluster scope"}`,
      { kind: type.plural, group: type.group, name },
    );
  }

  private runInterleaved(verb: string, resource: string): void {
    const write = this.interleaved.find(
      (w) => (!w.verb || w.verb === verb) && (!w.resource || w.resource === resource),
    );
    if (!write) return;
    write.times = (write.times ?? 1) - 1;
    if (write.times <= 0) this.interleaved.splice(this.interleaved.indexOf(write), 1);
    write.run(this.store);
    this.reconcile();
  }

  private injectFault(verb: string, resource: string): void {
    const fault = this.faults.find(
      (f) => (!f.verb || f.verb === verb) && (!f.resource || f.resource === resource),
    );
    if (!fault) return;
    fault.times--;
    if (fault.times <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
    const reason =
      fault.status === 409 ? "Conflict" : fault.status === 429 ? "TooManyRequests" : "InternalError";
    throw new StatusError(
      fault.status,
      reason,
      `injected ${fault.status} for ${verb} ${resource}`,
      fault.retryAfterSeconds ? { retryAfterSeconds: fault.retryAfterSeconds } : undefined,
    );
  }
}

function verbOf(method: string, name: string | undefined, subresource: string | undefined): string {
  if (subresource === "eviction") return "create";
  switch (method) {
    case "GET":
      return name ? "get" : "list";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return "delete";
    default:
      return method.toLowerCase();
  }
}

/**
 * DeleteOptions preconditions, as kube-apiserver checks them: a uid or resourceVersion that does not
 * match the stored object is a 409 Conflict and nothing is deleted — how a client deletes exactly the
 * object it read, not a same-named replacement.
 */
function checkDeletePreconditions(current: K8sObject, text: string): void {
  if (!text.trim()) return;
  let options: K8sObject;
  try {
    options = JSON.parse(text) as K8sObject;
  } catch {
    throw new StatusError(400, "BadRequest", "the DeleteOptions body is not JSON");
  }
  const { uid, resourceVersion } = (options?.preconditions ?? {}) as {
    uid?: string;
    resourceVersion?: string;
  };
  if (uid && uid !== current.metadata.uid) {
    throw new StatusError(
      409,
      "Conflict",
      `Operation cannot be fulfilled on ${current.kind.toLowerCase()}s "${current.metadata.name}": Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid}`,
    );
  }
  if (resourceVersion && resourceVersion !== current.metadata.resourceVersion) {
    throw new StatusError(
      409,
      "Conflict",
      `Operation cannot be fulfilled on ${current.kind.toLowerCase()}s "${current.metadata.name}": Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
    );
  }
}
