import { describe, expect, it } from "vitest";
import { type PodObject, podStateOf } from "./pods";

describe("podStateOf", () => {
  it.each<{ case: string; pod: PodObject; state: Record<string, unknown> }>([
    {
      case: "a ready pod",
      pod: {
        metadata: { creationTimestamp: new Date("2026-03-01T12:00:00Z") },
        status: {
          phase: "Running",
          conditions: [{ type: "Ready", status: "True" }],
          containerStatuses: [{}],
        },
      },
      state: {
        phase: "Running",
        ready: true,
        restarts: 0,
        waiting: [],
        lastTerminations: [],
        createdAt: "2026-03-01T12:00:00.000Z",
        terminating: false,
      },
    },
    {
      case: "every container counts: a crash-looping sidecar after an OOMKill",
      pod: {
        status: {
          phase: "Running",
          conditions: [{ type: "Ready", status: "False" }],
          containerStatuses: [
            { restartCount: 1, state: { waiting: { reason: "ContainerCreating" } } },
            {
              restartCount: 3,
              state: { waiting: { reason: "CrashLoopBackOff" } },
              lastState: { terminated: { reason: "OOMKilled", finishedAt: "2026-03-01T12:05:00Z" } },
            },
          ],
        },
      },
      state: {
        ready: false,
        restarts: 4,
        waiting: ["ContainerCreating", "CrashLoopBackOff"],
        lastTerminations: [{ reason: "OOMKilled", finishedAt: "2026-03-01T12:05:00Z" }],
      },
    },
    {
      case: "a pod being deleted",
      pod: { metadata: { deletionTimestamp: "2026-03-01T12:00:00Z" }, status: { phase: "Running" } },
      state: { terminating: true, ready: false },
    },
    { case: "a pod without a status yet", pod: {}, state: { phase: "Unknown", ready: false, restarts: 0 } },
  ])("$case", ({ pod, state }) => {
    expect(podStateOf(pod)).toMatchObject(state);
  });
});
