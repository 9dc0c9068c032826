import type { ResourceType } from "./resources";
import type { K8sObject } from "./store";

/**
 * Server-side printing (meta.k8s.io/v1 Table), which kubectl asks for on every `get`: the columns an
 * operator watches while a remediation runs — ready replicas and images of workloads, status and
 * restarts of pods, memory limits — instead of the bare NAME/AGE kubectl prints for plain lists.
 */

interface Column {
  name: string;
  type: "string" | "integer" | "date";
  /** 0 is shown by default, 1 only with `-o wide` (kubectl's priority). */
  priority: 0 | 1;
  cell: (object: K8sObject) => string | number;
}

const containersOf = (object: K8sObject): K8sObject[] =>
  (object.spec?.template?.spec?.containers ?? object.spec?.containers ?? []) as K8sObject[];

const images = (object: K8sObject) =>
  containersOf(object)
    .map((c) => c.image)
    .join(",");

const memoryLimits = (object: K8sObject) =>
  containersOf(object)
    .map((c) => `${c.name}=${c.resources?.limits?.memory ?? "-"}`)
    .join(",");

function podStatus(pod: K8sObject): string {
  if (pod.metadata.deletionTimestamp) return "Terminating";
  for (const c of (pod.status?.containerStatuses ?? []) as K8sObject[]) {
    if (c.state?.waiting?.reason) return c.state.waiting.reason;
    if (c.state?.terminated?.reason) return c.state.terminated.reason;
  }
  return pod.status?.phase ?? "Pending";
}

const readyContainers = (pod: K8sObject) => {
  const statuses = (pod.status?.containerStatuses ?? []) as K8sObject[];
  return `${statuses.filter((c) => c.ready).length}/${(pod.spec?.containers ?? []).length}`;
};

const restarts = (pod: K8sObject) =>
  ((pod.status?.containerStatuses ?? []) as K8sObject[]).reduce((n, c) => n + (c.restartCount ?? 0), 0);

const workloadReady = (o: K8sObject) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`;

const name: Column = { name: "Name", type: "string", priority: 0, cell: (o) => o.metadata.name };
/** kubectl's own rendering of an age: the largest unit or two ("42s", "5m10s", "3h", "2d"). */
export function shortAge(sinceIso: string | undefined, now = Date.now()): string {
  const since = sinceIso ? Date.parse(sinceIso) : Number.NaN;
  if (Number.isNaN(since)) return "<unknown>";
  const s = Math.max(0, Math.floor((now - since) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h` : `${Math.floor(h / 24)}d`;
}

const age: Column = {
  name: "Age",
  type: "string",
  priority: 0,
  cell: (o) => shortAge(o.metadata.creationTimestamp),
};

const COLUMNS: Record<string, Column[]> = {
  deployments: [
    name,
    { name: "Ready", type: "string", priority: 0, cell: workloadReady },
    { name: "Up-to-date", type: "integer", priority: 0, cell: (o) => o.status?.updatedReplicas ?? 0 },
    { name: "Available", type: "integer", priority: 0, cell: (o) => o.status?.availableReplicas ?? 0 },
    age,
    { name: "Images", type: "string", priority: 1, cell: images },
    { name: "Memory limits", type: "string", priority: 1, cell: memoryLimits },
  ],
  statefulsets: [
    name,
    { name: "Ready", type: "string", priority: 0, cell: workloadReady },
    age,
    { name: "Images", type: "string", priority: 1, cell: images },
    { name: "Memory limits", type: "string", priority: 1, cell: memoryLimits },
  ],
  replicasets: [
    name,
    { name: "Desired", type: "integer", priority: 0, cell: (o) => o.spec?.replicas ?? 0 },
    { name: "Ready", type: "integer", priority: 0, cell: (o) => o.status?.readyReplicas ?? 0 },
    age,
    { name: "Images", type: "string", priority: 1, cell: images },
  ],
  pods: [
    name,
    { name: "Ready", type: "string", priority: 0, cell: readyContainers },
    { name: "Status", type: "string", priority: 0, cell: podStatus },
    { name: "Restarts", type: "integer", priority: 0, cell: restarts },
    age,
    { name: "Node", type: "string", priority: 1, cell: (o) => o.spec?.nodeName ?? "<none>" },
    { name: "Images", type: "string", priority: 1, cell: images },
  ],
  nodes: [
    name,
    {
      name: "Status",
      type: "string",
      priority: 0,
      cell: (o) => {
        const ready = ((o.status?.conditions ?? []) as K8sObject[]).find((c) => c.type === "Ready");
        const state = ready?.status === "True" ? "Ready" : "NotReady";
        return o.spec?.unschedulable ? `${state},SchedulingDisabled` : state;
      },
    },
    age,
  ],
};

/** Whether the client asked for a Table (kubectl does; @kubernetes/client-node does not). */
export function wantsTable(accept: string | undefined): boolean {
  return accept?.includes("as=Table") ?? false;
}

/** A list as kubectl's server-side printing expects it. */
export function asTable(type: ResourceType, items: readonly K8sObject[]): unknown {
  const columns = COLUMNS[type.plural] ?? [name, age];
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { resourceVersion: "1" },
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.name === "Name" ? "name" : "",
      description: c.name,
      priority: c.priority,
    })),
    rows: items.map((item) => ({
      cells: columns.map((c) => c.cell(item)),
      object: {
        kind: "PartialObjectMetadata",
        apiVersion: "meta.k8s.io/v1",
        metadata: item.metadata,
      },
    })),
  };
}
