import { createHash } from "node:crypto";
import type { ResourceRef } from "./remediation";

/**
 * The identity of "this problem on this workload": sha256 of `[cluster:]namespace:kind:name`. The alert
 * name is deliberately left out, so HighMemoryUsage and PodCrashLooping on one Deployment merge into one
 * remediation instead of two workflows fighting over the same object.
 */
export function fingerprintOf(target: ResourceRef): string {
  const scope = target.cluster ? `${target.cluster}:` : "";
  return createHash("sha256")
    .update(`${scope}${target.namespace ?? ""}:${target.kind}:${target.name}`)
    .digest("hex");
}
