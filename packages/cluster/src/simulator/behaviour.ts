import { z } from "zod";
import type { K8sObject } from "./store";

/**
 * How workloads behave in the simulator, so remediations have something real to fix: an image that
 * crashes, a container that needs more memory than its limit, how long a healthy container takes to
 * become Ready.
 */
export const Behaviour = z
  .object({
    /** By image: `crash` makes every container of that image crash-loop, with these logs. */
    images: z
      .record(
        z.string(),
        z.object({
          crash: z.boolean().default(false),
          /** The image cannot be pulled (a typo in the tag, a missing registry secret). */
          pullFails: z.boolean().default(false),
          logs: z.string().optional(),
          exitCode: z.number().int().default(1),
          /** A run-to-completion container (a Job's): how long it runs before it exits. */
          runsForMs: z.number().int().min(0).optional(),
        }),
      )
      .default({}),
    /** Memory a container needs, by `<namespace>/<workload>/<container>` (or just the container name), in bytes or a quantity. */
    memoryDemand: z.record(z.string(), z.union([z.number(), z.string()])).default({}),
    /** Replicas the load calls for, by `<namespace>/<workload>`: an HPA scales toward it, capped at maxReplicas. */
    load: z.record(z.string(), z.number().int().min(0)).default({}),
    /** How long a healthy container takes to become Ready. */
    readyAfterMs: z.number().int().min(0).default(0),
  })
  .strict();
export type Behaviour = z.infer<typeof Behaviour>;

const UNITS: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** Parses a Kubernetes memory quantity ("512Mi", "1G", "1048576") into bytes. */
export function parseQuantity(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number") return value;
  const match = /^(\d+(?:\.\d+)?)([kMGT]i?|)$/.exec(value.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * (UNITS[match[2] ?? ""] ?? 1));
}

/** A Node's Ready condition; a node that reports none counts as Ready (the simulator's bare nodes). */
export function nodeReady(node: K8sObject): boolean {
  const ready = (node.status?.conditions ?? []).find((c: K8sObject) => c.type === "Ready");
  return !ready || ready.status === "True";
}

/**
 * The pod status the behaviour model gives a pod at `now`: what its containers' images, memory demand
 * and the node it is bound to make of it. Pure, so the simulator's controllers and the test cluster's
 * fake kubelet (packages/testcluster) drive pods from the same model.
 */
export function modelPodStatus(
  pod: K8sObject,
  node: K8sObject | undefined,
  behaviour: Behaviour,
  now: number,
): K8sObject {
  const age = now - Date.parse(pod.metadata.creationTimestamp);
  if (!pod.spec.nodeName || (node && !nodeReady(node))) {
    return {
      phase: "Pending",
      conditions: [
        { type: "PodScheduled", status: pod.spec.nodeName ? "True" : "False" },
        { type: "Ready", status: "False" },
      ],
    };
  }
  if (runsToCompletion(pod)) return completionStatus(pod, behaviour, age);
  const workload =
    pod.metadata.ownerReferences?.[0]?.name?.replace(/-[a-z0-9]{6,10}$/, "") ?? pod.metadata.name;
  const containerStatuses = (pod.spec.containers ?? []).map((c: K8sObject) => {
    const imageBehaviour = behaviour.images[c.image];
    const demand = parseQuantity(
      behaviour.memoryDemand[`${pod.metadata.namespace}/${workload}/${c.name}`] ??
        behaviour.memoryDemand[c.name],
    );
    const limit = parseQuantity(c.resources?.limits?.memory);
    const restarts = Math.floor(age / 10_000) + 1;
    if (imageBehaviour?.pullFails) {
      return {
        name: c.name,
        image: c.image,
        ready: false,
        started: false,
        restartCount: 0,
        state: {
          waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${c.image}"` },
        },
      };
    }
    if (imageBehaviour?.crash) return crashing(c, restarts, "Error", imageBehaviour.exitCode);
    if (demand !== undefined && limit !== undefined && demand > limit)
      return crashing(c, restarts, "OOMKilled", 137);
    return {
      name: c.name,
      image: c.image,
      ready: age >= behaviour.readyAfterMs,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: pod.metadata.creationTimestamp } },
    };
  });
  const ready = containerStatuses.length > 0 && containerStatuses.every((c: K8sObject) => c.ready);
  return {
    phase: "Running",
    conditions: [
      { type: "PodScheduled", status: "True" },
      { type: "Ready", status: ready ? "True" : "False" },
      { type: "ContainersReady", status: ready ? "True" : "False" },
    ],
    containerStatuses,
    startTime: pod.metadata.creationTimestamp,
  };
}

/** A pod that runs to completion instead of being restarted: a Job's (restartPolicy Never). */
export function runsToCompletion(pod: K8sObject): boolean {
  return pod.spec?.restartPolicy === "Never";
}

/**
 * A run-to-completion pod under the behaviour model: running for the image's `runsForMs` (or
 * `readyAfterMs`), then Succeeded — or Failed with the image's exit code when the image crashes.
 */
function completionStatus(pod: K8sObject, behaviour: Behaviour, age: number): K8sObject {
  const containers: K8sObject[] = pod.spec.containers ?? [];
  const runsFor = Math.max(
    0,
    ...containers.map((c) => behaviour.images[c.image]?.runsForMs ?? behaviour.readyAfterMs),
  );
  const started = pod.metadata.creationTimestamp;
  if (age < runsFor) {
    return {
      phase: "Running",
      conditions: [
        { type: "PodScheduled", status: "True" },
        { type: "Ready", status: "True" },
      ],
      containerStatuses: containers.map((c) => ({
        name: c.name,
        image: c.image,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: started } },
      })),
      startTime: started,
    };
  }
  const finishedAt = new Date(Date.parse(started) + runsFor).toISOString();
  const statuses = containers.map((c) => {
    const failed = behaviour.images[c.image]?.crash === true;
    const exitCode = failed ? (behaviour.images[c.image]?.exitCode ?? 1) : 0;
    return {
      name: c.name,
      image: c.image,
      ready: false,
      started: false,
      restartCount: 0,
      state: {
        terminated: { reason: failed ? "Error" : "Completed", exitCode, startedAt: started, finishedAt },
      },
    };
  });
  const failed = statuses.some((c) => c.state.terminated.exitCode !== 0);
  return {
    phase: failed ? "Failed" : "Succeeded",
    conditions: [
      { type: "PodScheduled", status: "True" },
      { type: "Ready", status: "False", reason: "PodCompleted" },
    ],
    containerStatuses: statuses,
    startTime: started,
  };
}

function crashing(c: K8sObject, restarts: number, reason: string, exitCode: number): K8sObject {
  return {
    name: c.name,
    image: c.image,
    ready: false,
    started: false,
    restartCount: restarts,
    state: {
      waiting: { reason: "CrashLoopBackOff", message: `back-off restarting failed container ${c.name}` },
    },
    lastState: { terminated: { reason, exitCode, finishedAt: new Date().toISOString() } },
  };
}

/** The Warning events a kubelet records for a modelled status: a back-off per container that died. */
export function modelPodEvents(status: K8sObject): Array<{ reason: string; message: string }> {
  return (status.containerStatuses ?? []).flatMap((c: K8sObject) => {
    const reason = c.lastState?.terminated?.reason as string | undefined;
    if (!reason) return [];
    return [
      {
        reason: reason === "OOMKilled" ? "OOMKilled" : "BackOff",
        message: `Back-off restarting failed container ${c.name} (${reason})`,
      },
    ];
  });
}

/** Why a container's logs cannot be read (the kubelet answers 400 with this message). */
export class ContainerLogUnavailable extends Error {
  override readonly name = "ContainerLogUnavailable";
}

/**
 * What a container's log says under the behaviour model: the image's crash logs, an out-of-memory
 * trace for an OOMKilled previous container, or a healthy start line. `previous` without a terminated
 * container throws {@link ContainerLogUnavailable} with the kubelet's own wording.
 */
export function modelContainerLog(
  pod: K8sObject,
  container: string,
  previous: boolean,
  behaviour: Behaviour,
): string {
  const spec = (pod.spec?.containers ?? []).find((c: K8sObject) => c.name === container);
  const status = (pod.status?.containerStatuses ?? []).find((c: K8sObject) => c.name === container);
  const imageBehaviour = spec ? behaviour.images[spec.image] : undefined;
  if (previous) {
    if (!status?.lastState?.terminated)
      throw new ContainerLogUnavailable(
        `previous terminated container "${container}" in pod "${pod.metadata.name}" not found`,
      );
    if (status.lastState.terminated.reason === "OOMKilled")
      return "allocating buffers\nfatal error: runtime: out of memory\n";
    return (
      imageBehaviour?.logs ??
      `container ${container} exited with code ${status.lastState.terminated.exitCode}\n`
    );
  }
  const terminated = status?.state?.terminated;
  if (terminated)
    return (
      imageBehaviour?.logs ??
      (terminated.exitCode === 0
        ? `${container} completed\n`
        : `${container} exited with code ${terminated.exitCode}\n`)
    );
  if (runsToCompletion(pod) && status?.state?.running) return `${container} running\n`;
  return status?.ready
    ? `${container} started; serving\n`
    : (imageBehaviour?.logs ?? `${container} starting\n`);
}
