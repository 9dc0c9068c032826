/**
 * Signal types (issue 20): alert names differ between rule sets (kube-prometheus' KubePodCrashLooping,
 * a team's PodCrashLooping, an event's CrashLoopBackOff) but mean the same thing, so selection and the
 * catalog's declared signals compare types, not exact names. The alert name itself is kept everywhere a
 * person or a policy reads it (Kubernaut's policies see the raw name as `signal_type`).
 */
export const SIGNAL_TYPES = {
  CrashLoopBackOff: [
    "CrashLoopBackOff",
    "KubePodCrashLooping",
    "PodCrashLooping",
    "ContainerCrashLooping",
    "KubeContainerCrashLooping",
  ],
  OOMKilled: ["OOMKilled", "KubeContainerOOMKilled", "ContainerOOMKilled", "KubePodOOMKilled"],
  ImagePullBackOff: ["ImagePullBackOff", "ErrImagePull", "KubePodImagePullBackOff"],
  PodNotReady: ["PodNotReady", "KubePodNotReady"],
  RolloutStuck: [
    "KubeDeploymentRolloutStuck",
    "KubeStatefulSetUpdateNotRolledOut",
    "KubeDaemonSetRolloutStuck",
    "KubeDeploymentGenerationMismatch",
    "KubeStatefulSetGenerationMismatch",
  ],
  ReplicasMismatch: ["KubeDeploymentReplicasMismatch", "KubeStatefulSetReplicasMismatch"],
  HpaMaxedOut: ["KubeHpaMaxedOut"],
  CPUThrottling: ["CPUThrottlingHigh", "CPUThrottling"],
  NodeNotReady: ["NodeNotReady", "KubeNodeNotReady", "KubeNodeUnreachable"],
  HighMemoryUsage: ["HighMemoryUsage", "KubeMemoryOvercommit", "ContainerMemoryHigh"],
  HighRequestLatency: ["HighRequestLatency"],
} as const;

export type KnownSignalType = keyof typeof SIGNAL_TYPES;

const BY_NAME = new Map<string, KnownSignalType>(
  Object.entries(SIGNAL_TYPES).flatMap(([type, names]) =>
    names.map((name) => [name.toLowerCase(), type as KnownSignalType] as const),
  ),
);

/** Names nobody listed, recognised by what they say (a team's `CheckoutCrashLooping`, `AppOOMKill`). */
const PATTERNS: ReadonlyArray<[RegExp, KnownSignalType]> = [
  [/crash.?loop/i, "CrashLoopBackOff"],
  [/oom.?kill/i, "OOMKilled"],
  [/image.?pull|errimagepull/i, "ImagePullBackOff"],
  [/node.*(not.?ready|unreachable)/i, "NodeNotReady"],
  [/rollout.?stuck|not.?rolled.?out/i, "RolloutStuck"],
  [/hpa.*max/i, "HpaMaxedOut"],
  [/cpu.?throttl/i, "CPUThrottling"],
  [/pod.*not.?ready/i, "PodNotReady"],
];

/**
 * The signal type of an alert name: a listed name, then a name that says what it is, else the name
 * itself (an unknown signal matches only workflows that list it by name).
 */
export function signalTypeOf(alertName: string): string {
  const trimmed = alertName.trim();
  const listed = BY_NAME.get(trimmed.toLowerCase());
  if (listed) return listed;
  return PATTERNS.find(([pattern]) => pattern.test(trimmed))?.[1] ?? trimmed;
}

/** Whether a workflow declaring `declared` signals answers an alert named `alertName`. */
export function answersSignal(declared: readonly string[], alertName: string): boolean {
  const type = signalTypeOf(alertName);
  return declared.some((signal) => signal === alertName || signalTypeOf(signal) === type);
}
