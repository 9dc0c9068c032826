import type { PolicyInput, PolicyOutcome } from "@kubernaut/policy";

const SENSITIVE_KINDS = new Set(["Node", "StatefulSet"]);

/**
 * packages/policy/policies/approval/starter.rego, rule for rule, as a plain TypeScript function: the
 * reference the opa-wasm decision is measured against. The benchmark checks that both decide the same
 * (approval and reason) on every input before timing either, so the comparison is of equal work.
 */
export function starterPolicy(input: PolicyInput): PolicyOutcome {
  const trusted = input.workflow_trust_level === "automate";
  const environment = (input as Partial<PolicyInput>).environment;
  const reasons = new Set<string>();
  if (environment !== undefined && environment.toLowerCase() === "production" && !trusted)
    reasons.add("production environment");
  if ((environment ?? "unknown").toLowerCase() === "unknown" && !trusted)
    reasons.add("environment unknown (treated like production)");
  const target = (input as Partial<PolicyInput>).remediation_target;
  if (target && SENSITIVE_KINDS.has(target.kind)) reasons.add(`sensitive target kind ${target.kind}`);
  if (!(target && target.kind !== "" && target.name !== "")) reasons.add("no remediation target");
  const threshold = input.confidence_threshold ?? 0.8;
  if (input.confidence < threshold)
    reasons.add(`confidence ${input.confidence} below threshold ${threshold}`);
  if (input.warnings.length > 0) reasons.add(`warnings: ${input.warnings.join(", ")}`);
  if (input.detected_labels.gitOpsManaged === true) reasons.add("GitOps-managed target");
  if (reasons.size > 0) {
    return { requireApproval: true, deny: false, degraded: false, reason: [...reasons].sort().join("; ") };
  }
  const basis = trusted ? "workflow graduated to automate" : "non-production target with high confidence";
  return { requireApproval: false, deny: false, degraded: false, reason: `auto-approved: ${basis}` };
}

const base: PolicyInput = {
  environment: "Staging",
  confidence: 0.95,
  confidence_threshold: 0.8,
  severity: "critical",
  signal_type: "KubePodCrashLooping",
  business_priority: "P1",
  action_type: "RollbackDeployment",
  target_resource: { kind: "Deployment", name: "checkout", namespace: "shop" },
  remediation_target: { kind: "Deployment", name: "checkout", namespace: "shop" },
  detected_labels: { workflow_name: "crashloop-rollback-v1", gitOpsManaged: false, pdbProtected: false },
  custom_labels: { team: ["payments"] },
  business_classification: {},
  warnings: [],
  failed_detections: [],
  workflow_trust_level: "approve",
};

/** Inputs that take every rule of the starter policy, cycled through while timing. */
export const POLICY_INPUTS: PolicyInput[] = [
  base,
  { ...base, environment: "Production" },
  { ...base, environment: "production", workflow_trust_level: "automate" },
  { ...base, confidence: 0.62 },
  { ...base, environment: "Unknown" },
  {
    ...base,
    remediation_target: { kind: "StatefulSet", name: "ledger", namespace: "shop" },
    target_resource: { kind: "StatefulSet", name: "ledger", namespace: "shop" },
  },
  { ...base, warnings: ["regression: spec hash equals the pre-change hash of rr-123"] },
  {
    ...base,
    environment: "Production",
    confidence: 0.71,
    detected_labels: { ...base.detected_labels, gitOpsManaged: true },
  },
  { ...base, remediation_target: { kind: "", name: "", namespace: "" } },
];
