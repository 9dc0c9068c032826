import { createHash } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import {
  Behaviour,
  ContainerLogUnavailable,
  type K8sObject,
  modelContainerLog,
  modelPodEvents,
  modelPodStatus,
} from "@kubernaut/cluster/simulator";
import {
  CoordinationV1Api,
  CoreV1Api,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  makeInformer,
  type ObjectCache,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";

/** The ConfigMap a scenario's `Behaviour` document becomes, one per namespace the scenario uses. */
export const BEHAVIOUR_CONFIGMAP = "kubernaut-testcluster-behaviour";
export const BEHAVIOUR_LABEL = "kubernaut.ai/testcluster";
export const BEHAVIOUR_KEY = "behaviour.json";

/** What the fake kubelet reports for every node: room for any test's pods. */
const CAPACITY = { cpu: "16", memory: "64Gi", pods: "110", "ephemeral-storage": "100Gi" };
const LEASE_SECONDS = 40;
const LEASE_RENEW_MS = 10_000;
/** Node status is rewritten at least this often even when nothing changed (a kubelet's report). */
const NODE_REPORT_MS = 60_000;
const SWEEP_MS = 500;

type Cached = ObjectCache<KubernetesObject> & Informer<KubernetesObject>;

/**
 * Plain JSON of a cached object. The informer's first list comes back as client-node's typed models
 * (Dates), later watch events as raw JSON; the behaviour model reads the API's JSON.
 */
const plain = (object: unknown): K8sObject => JSON.parse(JSON.stringify(object)) as K8sObject;

/** RFC 3339 with microseconds, the format of a Lease's MicroTime fields. */
const microTime = (date = new Date()) => date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");

/**
 * Plays the kubelet of every Node in the cluster, so a real control plane runs pods without
 * containers: registers what a kubelet reports for each node (capacity, addresses, the log endpoint,
 * a renewed Lease so node-lifecycle keeps it Ready), drives every bound pod's status from the
 * simulator's behaviour model (crash loops with logs, OOMKilled, readiness delay, image pull
 * failures, pods of a NotReady node), finalizes deleted and evicted pods (so rollouts and drains
 * complete), and serves `/containerLogs/…` over HTTPS for kube-apiserver's `pods/log` proxy.
 *
 * A node's readiness is what its Ready condition says (a scenario's Node manifest, or a test
 * patching `nodes/status`); the kubelet keeps reporting it. Binding pods to nodes is kube-scheduler's.
 */
export class FakeKubelet {
  private readonly core: CoreV1Api;
  private readonly coordination: CoordinationV1Api;
  private readonly pods: Cached;
  private readonly nodes: Cached;
  private readonly behaviours: Cached;
  private server: Server | undefined;
  private port = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Set<string>();
  /** By node: the Ready status the node should report (True unless someone set False). */
  private readonly intendedReady = new Map<string, "True" | "False">();
  private readonly nodeReported = new Map<string, { signature: string; at: number }>();
  private readonly podReported = new Map<string, string>();
  private readonly eventsSent = new Set<string>();
  private stopped = false;

  constructor(
    kubeConfig: KubeConfig,
    private readonly tls: { key: string; cert: string; ca: string; log?: (line: string) => void },
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.coordination = kubeConfig.makeApiClient(CoordinationV1Api);
    this.pods = makeInformer(kubeConfig, "/api/v1/pods", () => this.core.listPodForAllNamespaces()) as Cached;
    this.nodes = makeInformer(kubeConfig, "/api/v1/nodes", () => this.core.listNode()) as Cached;
    this.behaviours = makeInformer(
      kubeConfig,
      "/api/v1/configmaps",
      () => this.core.listConfigMapForAllNamespaces({ labelSelector: `${BEHAVIOUR_LABEL}=behaviour` }),
      `${BEHAVIOUR_LABEL}=behaviour`,
    ) as Cached;
  }

  async start(): Promise<void> {
    // kube-apiserver authenticates to kubelets with a client certificate from the cluster CA.
    this.server = createServer(
      {
        key: this.tls.key,
        cert: this.tls.cert,
        ca: this.tls.ca,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (request, response) => {
        const { status, body } = this.containerLogs(new URL(request.url ?? "/", "https://kubelet"));
        response.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
        response.end(body);
      },
    );
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.port = (server.address() as AddressInfo).port;

    for (const informer of [this.pods, this.nodes, this.behaviours]) {
      // An informer stops on an error (e.g. the API restarting); a kubelet keeps watching.
      informer.on("error", (error: unknown) => {
        if (this.stopped) return;
        this.tls.log?.(`fake kubelet: watch failed (${(error as Error)?.message ?? error}); retrying`);
        setTimeout(() => void informer.start().catch(() => undefined), 1_000);
      });
      await informer.start();
    }
    this.nodes.on("add", (node) => void this.syncNode(plain(node)));
    this.nodes.on("update", (node) => void this.syncNode(plain(node)));
    this.pods.on("add", (pod) => void this.syncPod(plain(pod)));
    this.pods.on("update", (pod) => void this.syncPod(plain(pod)));
    this.pods.on("delete", (pod) => this.podReported.delete(keyOf(plain(pod))));
    this.timers.push(
      setInterval(() => {
        for (const pod of this.pods.list()) void this.syncPod(plain(pod));
      }, SWEEP_MS),
      setInterval(() => {
        for (const node of this.nodes.list()) void this.syncNode(plain(node));
      }, 1_000),
      setInterval(() => {
        for (const node of this.nodes.list()) void this.renewLease(plain(node));
      }, LEASE_RENEW_MS),
    );
    for (const node of this.nodes.list()) void this.renewLease(plain(node));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    await Promise.all([this.pods.stop(), this.nodes.stop(), this.behaviours.stop()]);
    const server = this.server;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** The behaviour model of a namespace: its scenario's `Behaviour` document, or the defaults. */
  behaviourOf(namespace: string): Behaviour {
    const configMap = this.behaviours.get(BEHAVIOUR_CONFIGMAP, namespace) as K8sObject | undefined;
    const text = configMap?.data?.[BEHAVIOUR_KEY];
    if (!text) return Behaviour.parse({});
    const parsed = Behaviour.safeParse(JSON.parse(text));
    if (!parsed.success) {
      this.tls.log?.(
        `fake kubelet: ${namespace}/${BEHAVIOUR_CONFIGMAP} is not a Behaviour: ${parsed.error.message}`,
      );
      return Behaviour.parse({});
    }
    return parsed.data;
  }

  private async once(key: string, work: () => Promise<void>): Promise<void> {
    if (this.inFlight.has(key) || this.stopped) return;
    this.inFlight.add(key);
    try {
      await work();
    } catch (error) {
      // A conflict or a vanished object: the next sweep works from fresh state.
      if (!this.stopped) this.tls.log?.(`fake kubelet: ${key}: ${describe(error)}`);
    } finally {
      this.inFlight.delete(key);
    }
  }

  private syncNode(node: K8sObject): Promise<void> {
    const name = node.metadata.name as string;
    return this.once(`node/${name}`, async () => {
      const conditions = (node.status?.conditions ?? []) as K8sObject[];
      const ready = conditions.find((c) => c.type === "Ready");
      // Someone (a scenario, a test) set the node's readiness: keep reporting it. node-lifecycle's
      // Unknown (no heartbeat) is not an intention.
      if ((ready?.status === "True" || ready?.status === "False") && ready.reason !== "NodeStatusUnknown")
        this.intendedReady.set(name, ready.status);
      const wanted = this.intendedReady.get(name) ?? "True";
      const status = {
        capacity: CAPACITY,
        allocatable: CAPACITY,
        addresses: [
          { type: "InternalIP", address: "127.0.0.1" },
          { type: "Hostname", address: name },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: this.port } },
        nodeInfo: {
          machineID: name,
          systemUUID: name,
          bootID: name,
          kernelVersion: "fake",
          osImage: "kubernaut fake kubelet",
          containerRuntimeVersion: "fake://1.0",
          kubeletVersion: "v1.37.2",
          kubeProxyVersion: "",
          operatingSystem: "linux",
          architecture: "amd64",
        },
      };
      const signature = JSON.stringify({ status, wanted });
      const current = signatureOfNode(node);
      const reported = this.nodeReported.get(name);
      const fresh = reported && Date.now() - reported.at < NODE_REPORT_MS;
      if (current === signature && fresh) return;
      const now = new Date().toISOString();
      const condition = (type: string, value: string, reason: string, message: string) => {
        const existing = conditions.find((c) => c.type === type);
        return {
          type,
          status: value,
          reason,
          message,
          lastHeartbeatTime: now,
          lastTransitionTime: existing?.status === value ? (existing.lastTransitionTime ?? now) : now,
        };
      };
      await this.core.patchNodeStatus(
        {
          name,
          body: {
            // Only over the state it read: a Ready condition someone else wrote meanwhile (a test taking
            // the node down) is a 409 here, and the next sweep adopts it instead of overwriting it.
            metadata: { resourceVersion: node.metadata.resourceVersion },
            status: {
              ...status,
              conditions: [
                condition(
                  "MemoryPressure",
                  "False",
                  "KubeletHasSufficientMemory",
                  "kubelet has sufficient memory available",
                ),
                condition(
                  "DiskPressure",
                  "False",
                  "KubeletHasNoDiskPressure",
                  "kubelet has no disk pressure",
                ),
                condition(
                  "PIDPressure",
                  "False",
                  "KubeletHasSufficientPID",
                  "kubelet has sufficient PID available",
                ),
                wanted === "True"
                  ? condition("Ready", "True", "KubeletReady", "kubelet is posting ready status")
                  : condition("Ready", "False", "KubeletNotReady", "container runtime is down (scenario)"),
              ],
            },
          },
        },
        setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
      );
      this.nodeReported.set(name, { signature, at: Date.now() });
    });
  }

  /** The node's Lease in kube-node-lease: what node-lifecycle watches to decide a node is alive. */
  private renewLease(node: K8sObject): Promise<void> {
    const name = node.metadata.name as string;
    return this.once(`lease/${name}`, async () => {
      const namespace = "kube-node-lease";
      const renew = {
        spec: { holderIdentity: name, leaseDurationSeconds: LEASE_SECONDS, renewTime: microTime() },
      };
      try {
        await this.coordination.patchNamespacedLease(
          { name, namespace, body: renew },
          setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
        );
      } catch (error) {
        if (codeOf(error) !== 404) throw error;
        await this.coordination.createNamespacedLease({
          namespace,
          body: {
            metadata: {
              name,
              namespace,
              ownerReferences: [{ apiVersion: "v1", kind: "Node", name, uid: node.metadata.uid }],
            },
            spec: { holderIdentity: name, leaseDurationSeconds: LEASE_SECONDS },
          },
        });
        await this.coordination.patchNamespacedLease(
          { name, namespace, body: renew },
          setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
        );
      }
    });
  }

  private syncPod(pod: K8sObject): Promise<void> {
    const nodeName = pod.spec?.nodeName as string | undefined;
    if (!nodeName) return Promise.resolve(); // kube-scheduler's to bind
    const key = keyOf(pod);
    return this.once(`pod/${key}`, async () => {
      const { name, namespace } = pod.metadata;
      if (pod.metadata.deletionTimestamp) {
        // No containers to stop: a deleted or evicted pod is gone at once, so rollouts and drains move on.
        await this.core.deleteNamespacedPod({
          name,
          namespace,
          gracePeriodSeconds: 0,
          body: { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } },
        });
        return;
      }
      if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") return;
      const node = this.nodes.get(nodeName) as K8sObject | undefined;
      // On a NotReady node (its runtime down) the pods that ran stay Running and lose readiness, as a
      // kubelet reports them. Not the behaviour model's Pending, the simulator's stand-in: a phase
      // never goes back to Pending, and the eviction API ignores PodDisruptionBudgets for Pending pods,
      // so a drain would pass a budget that a real cluster enforces.
      // Read from the node as the API has it (not this kubelet's own bookkeeping, which a node update
      // still in flight has not reached): the behaviour model reads the same object.
      const nodeReady = ((node?.status?.conditions ?? []) as K8sObject[]).find(
        (c) => c.type === "Ready",
      )?.status;
      const modelled =
        nodeReady !== undefined && nodeReady !== "True" && pod.status?.phase === "Running"
          ? notReady(pod.status)
          : modelPodStatus(pod, node ? plain(node) : undefined, this.behaviourOf(namespace), Date.now());
      const signature = signatureOfPod(modelled);
      if (this.podReported.get(key) === signature && signatureOfPod(pod.status ?? {}) === signature) return;
      const status = kubeletStatus(pod, modelled);
      await this.core.patchNamespacedPodStatus(
        { name, namespace, body: [{ op: "replace", path: "/status", value: status }] },
        setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
      );
      this.podReported.set(key, signature);
      for (const event of modelPodEvents(modelled)) await this.event(pod, event.reason, event.message);
    });
  }

  /** A Warning event about the pod, once per pod and reason (as the simulator records them). */
  private async event(pod: K8sObject, reason: string, message: string): Promise<void> {
    const name = `${pod.metadata.name}.${reason.toLowerCase()}`;
    const key = `${pod.metadata.namespace}/${name}/${pod.metadata.uid}`;
    if (this.eventsSent.has(key)) return;
    const now = new Date();
    try {
      await this.core.createNamespacedEvent({
        namespace: pod.metadata.namespace,
        body: {
          metadata: { name, namespace: pod.metadata.namespace },
          involvedObject: {
            apiVersion: "v1",
            kind: "Pod",
            name: pod.metadata.name,
            namespace: pod.metadata.namespace,
            uid: pod.metadata.uid,
          },
          reason,
          message,
          type: "Warning",
          count: 1,
          firstTimestamp: now,
          lastTimestamp: now,
          source: { component: "kubelet", host: pod.spec.nodeName },
        },
      });
    } catch (error) {
      if (codeOf(error) !== 409) throw error;
    }
    this.eventsSent.add(key);
  }

  /** GET /containerLogs/{namespace}/{pod}/{container}: what kube-apiserver's pods/log proxies to. */
  private containerLogs(url: URL): { status: number; body: string } {
    const match = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!match) return { status: 404, body: `${url.pathname}: not found` };
    const [, namespace = "", name = "", container = ""] = match.map(decodeURIComponent);
    const cached = this.pods.get(name, namespace);
    if (!cached) return { status: 404, body: `pod "${name}" in namespace "${namespace}" not found` };
    const pod = plain(cached);
    try {
      let text = modelContainerLog(
        pod,
        container,
        url.searchParams.get("previous") === "true",
        this.behaviourOf(namespace),
      );
      const tailLines = Number(url.searchParams.get("tailLines") ?? Number.NaN);
      if (Number.isInteger(tailLines) && tailLines >= 0) {
        const lines = text.replace(/\n$/, "").split("\n");
        text = `${lines.slice(Math.max(0, lines.length - tailLines)).join("\n")}\n`;
      }
      const limitBytes = Number(url.searchParams.get("limitBytes") ?? Number.NaN);
      if (Number.isInteger(limitBytes) && limitBytes > 0)
        text = Buffer.from(text).subarray(0, limitBytes).toString();
      return { status: 200, body: text };
    } catch (error) {
      if (error instanceof ContainerLogUnavailable) return { status: 400, body: error.message };
      throw error;
    }
  }
}

const keyOf = (pod: K8sObject) => `${pod.metadata.namespace}/${pod.metadata.name}`;

/** What of a pod status the model decides: changes here are written, anything else is not. */
function signatureOfPod(status: K8sObject): string {
  return JSON.stringify({
    phase: status.phase,
    conditions: ((status.conditions ?? []) as K8sObject[])
      .filter((c) => ["PodScheduled", "Ready", "ContainersReady"].includes(c.type))
      .map((c) => `${c.type}=${c.status}`)
      .sort(),
    containers: ((status.containerStatuses ?? []) as K8sObject[]).map((c) => [
      c.name,
      c.ready,
      c.restartCount,
      Object.keys(c.state ?? {})[0],
      c.state?.waiting?.reason,
      c.lastState?.terminated?.reason,
    ]),
  });
}

function signatureOfNode(node: K8sObject): string {
  const status = node.status ?? {};
  const ready = ((status.conditions ?? []) as K8sObject[]).find((c) => c.type === "Ready");
  return JSON.stringify({
    status: {
      capacity: status.capacity,
      allocatable: status.allocatable,
      addresses: status.addresses,
      daemonEndpoints: status.daemonEndpoints,
      nodeInfo: status.nodeInfo,
    },
    wanted: ready?.status,
  });
}

/**
 * The modelled status as a kubelet writes it: with the pod and host IPs, container IDs, QoS class
 * and condition transition times a real status carries (and conditions others own, e.g. the
 * DisruptionTarget an eviction adds, kept).
 */
/** A running pod's status with every container and the pod not ready (its node's runtime is down). */
function notReady(status: K8sObject): K8sObject {
  const unready = new Set(["Ready", "ContainersReady"]);
  return {
    phase: "Running",
    conditions: ((status.conditions ?? []) as K8sObject[])
      .filter((c) => c.type === "PodScheduled" || unready.has(c.type))
      .map((c) =>
        unready.has(c.type) ? { type: c.type, status: "False" } : { type: c.type, status: c.status },
      ),
    containerStatuses: ((status.containerStatuses ?? []) as K8sObject[]).map((c) => ({ ...c, ready: false })),
  };
}

function kubeletStatus(pod: K8sObject, modelled: K8sObject): K8sObject {
  const previous = (pod.status ?? {}) as K8sObject;
  const now = new Date().toISOString();
  const uidHash = createHash("sha256").update(String(pod.metadata.uid)).digest();
  const podIP = `10.244.${uidHash[0]}.${Math.max(1, uidHash[1] ?? 1) % 254}`;
  const modelledConditions = (modelled.conditions ?? []) as K8sObject[];
  const conditions = [
    ...modelledConditions.map((c) => {
      const old = ((previous.conditions ?? []) as K8sObject[]).find((o) => o.type === c.type);
      return {
        ...c,
        lastTransitionTime: old && old.status === c.status ? (old.lastTransitionTime ?? now) : now,
      };
    }),
    ...((previous.conditions ?? []) as K8sObject[]).filter(
      (o) =>
        !modelledConditions.some((c) => c.type === o.type) &&
        !["Initialized", "PodReadyToStartContainers"].includes(o.type),
    ),
  ];
  if (modelled.phase === "Running") {
    conditions.push({ type: "Initialized", status: "True", lastTransitionTime: previous.startTime ?? now });
    conditions.push({
      type: "PodReadyToStartContainers",
      status: "True",
      lastTransitionTime: previous.startTime ?? now,
    });
  }
  const containerStatuses = ((modelled.containerStatuses ?? []) as K8sObject[]).map((c) => {
    const id = createHash("sha256").update(`${pod.metadata.uid}/${c.name}/${c.restartCount}`).digest("hex");
    return {
      ...c,
      imageID: c.state?.waiting?.reason === "ImagePullBackOff" ? "" : `fake://${c.image}`,
      ...(c.started || c.lastState?.terminated ? { containerID: `fake://${id}` } : {}),
      ...(c.lastState?.terminated
        ? {
            lastState: {
              terminated: {
                ...c.lastState.terminated,
                containerID: `fake://${id}`,
                startedAt: c.lastState.terminated.finishedAt,
              },
            },
          }
        : {}),
    };
  });
  return {
    ...modelled,
    conditions,
    ...(containerStatuses.length > 0 ? { containerStatuses } : {}),
    ...(modelled.phase === "Running"
      ? {
          hostIP: "127.0.0.1",
          hostIPs: [{ ip: "127.0.0.1" }],
          podIP,
          podIPs: [{ ip: podIP }],
          startTime: previous.startTime ?? modelled.startTime ?? now,
        }
      : {}),
    ...(previous.qosClass ? { qosClass: previous.qosClass } : {}),
  };
}

function codeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
}

function describe(error: unknown): string {
  const body = (error as { body?: unknown }).body;
  if (typeof body === "string") {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  return error instanceof Error ? error.message : String(error);
}
