import { createHash } from "node:crypto";
import type { ResourceRef } from "./remediation";

/**
 * One component of the fingerprint text with its separator made unambiguous: `%` and `:` are
 * percent-encoded (in that order, so an encoded-looking value cannot pass for an encoded `:`). Kubernetes
 * names contain neither, so the text — and the hash — of every ordinary target is what it always was;
 * only label values that do (a `cluster` label holding an EKS ARN) read differently.
 */
const component = (value: string) => value.replace(/%/g, "%25").replace(/:/g, "%3A");

/**
 * The readable identity a fingerprint hashes: `[cluster:]namespace:kind:name`, each component encoded so
 * that no two targets share it (no component can contain a raw `:`, so the number of `:` tells whether a
 * cluster is present and where each component ends).
 */
export function fingerprintText(target: ResourceRef): string {
  const scope = target.cluster ? `${component(target.cluster)}:` : "";
  return `${scope}${component(target.namespace ?? "")}:${component(target.kind)}:${component(target.name)}`;
}

/**
 * The identity of "this problem on this workload": sha256 of `fingerprintText`. The alert name is
 * deliberately left out, so HighMemoryUsage and PodCrashLooping on one Deployment merge into one
 * remediation instead of two workflows fighting over the same object.
 */
export function fingerprintOf(target: ResourceRef): string {
  return createHash("sha256").update(fingerprintText(target)).digest("hex");
}
