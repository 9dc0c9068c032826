import type { RemediationRequest } from "@kubernaut/core";

/** A minimal RemediationRequest for the unit tests beside this file (not exported by the package). */
export function remediation(overrides: Partial<RemediationRequest> = {}): RemediationRequest {
  return {
    id: "rr-1",
    fingerprint: "f".repeat(64),
    phase: "Pending",
    signal: {
      source: "prometheus",
      alertName: "KubePodCrashLooping",
      severity: "critical",
      labels: { alertname: "KubePodCrashLooping", namespace: "shop", deployment: "checkout" },
      annotations: {},
      startsAt: "2026-01-01T12:00:00Z",
      receivedAt: "2026-01-01T12:00:00Z",
    },
    targetResource: { kind: "Deployment", name: "checkout", namespace: "shop" },
    targetSource: "label",
    executionName: "rr-1",
    createdAt: "2026-01-01T12:00:00Z",
    updatedAt: "2026-01-01T12:00:00Z",
    ...overrides,
  };
}
