import type { PodState } from "@kubernaut/core";

/** The parts of a Kubernetes Pod the health check reads. */
export interface PodObject {
  metadata?: { creationTimestamp?: string | Date; deletionTimestamp?: string | Date };
  status?: {
    phase?: string;
    conditions?: ReadonlyArray<{ type?: string; status?: string }>;
    containerStatuses?: ReadonlyArray<{
      restartCount?: number;
      state?: { waiting?: { reason?: string } };
      lastState?: { terminated?: { reason?: string; finishedAt?: string | Date } };
    }>;
  };
}

const iso = (time: string | Date | undefined) =>
  time === undefined ? undefined : time instanceof Date ? time.toISOString() : time;

/**
 * A pod as the health check sees it. Every container counts (a crash-looping sidecar breaks the pod as
 * surely as the main container); readiness is the pod's Ready condition, which is what a Service routes by.
 */
export function podStateOf(pod: PodObject): PodState {
  const containers = pod.status?.containerStatuses ?? [];
  const lastTerminations: Array<{ reason: string; finishedAt?: string }> = [];
  for (const c of containers) {
    const terminated = c.lastState?.terminated;
    if (!terminated?.reason) continue;
    const finishedAt = iso(terminated.finishedAt);
    lastTerminations.push({ reason: terminated.reason, ...(finishedAt ? { finishedAt } : {}) });
  }
  const createdAt = iso(pod.metadata?.creationTimestamp);
  return {
    phase: pod.status?.phase ?? "Unknown",
    ready: (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
    restarts: containers.reduce((sum, c) => sum + (c.restartCount ?? 0), 0),
    waiting: containers.flatMap((c) => (c.state?.waiting?.reason ? [c.state.waiting.reason] : [])),
    lastTerminations,
    ...(createdAt ? { createdAt } : {}),
    terminating: Boolean(pod.metadata?.deletionTimestamp),
  };
}
