import type { RemediationRequest, TrustLevel } from "@kubernaut/core";

/** The policy input document, exactly DESIGN §5. */
export interface PolicyInput {
  environment: string;
  confidence: number;
  confidence_threshold: number;
  severity: string;
  signal_type: string;
  business_priority: string;
  action_type: string;
  target_resource: { kind: string; name: string; namespace: string };
  remediation_target: { kind: string; name: string; namespace: string };
  detected_labels: Record<string, unknown>;
  /** Kubernaut's shape: every label a list of values. */
  custom_labels: Record<string, string[]>;
  /** Kubernaut's keys; a value nobody classified is left out. */
  business_classification: Partial<
    Record<"business_unit" | "service_owner" | "criticality" | "sla_requirement", string>
  >;
  warnings: string[];
  failed_detections: string[];
  workflow_trust_level: TrustLevel;
  override?: { workflowName: string; parameters: Record<string, unknown>; rationale: string };
  /** Who decided an override: the user and the groups they act for (`name` / `role` kept for older policies). */
  identity?: { user: string; groups: string[]; name: string; role: string };
}

export interface PolicyInputOptions {
  confidenceThreshold: number;
  workflowTrustLevel: TrustLevel;
  /** The workflow the decision is about (an override's, when evaluating one). */
  workflowName?: string;
  actionType?: string;
  override?: PolicyInput["override"];
  identity?: PolicyInput["identity"];
}

/**
 * Builds the policy's `input` from a remediation. `target_resource` is what the alert named;
 * `remediation_target` is what analysis decided to act on (the same until the owner chain is verified).
 */
export function buildPolicyInput(rr: RemediationRequest, options: PolicyInputOptions): PolicyInput {
  const ref = (r: RemediationRequest["targetResource"]) => ({
    kind: r.kind,
    name: r.name,
    namespace: r.namespace ?? "",
  });
  const workflowName = options.workflowName ?? rr.analysis?.workflowId;
  return {
    environment: rr.enrichment?.environment ?? "Unknown",
    confidence: rr.analysis?.confidence ?? 0,
    confidence_threshold: options.confidenceThreshold,
    severity: rr.enrichment?.severity ?? "unknown",
    signal_type: rr.signal.alertName,
    business_priority: rr.enrichment?.priority ?? "P3",
    action_type: options.actionType ?? rr.analysis?.actionType ?? "",
    target_resource: ref(rr.targetResource),
    remediation_target: ref(rr.targetResource),
    // What the investigator detected (gitOpsManaged, pdbProtected, …) plus the selected workflow's name.
    detected_labels: {
      ...((rr.analysis?.evidence?.detectedLabels as Record<string, unknown> | undefined) ?? {}),
      ...(workflowName ? { workflow_name: workflowName } : {}),
    },
    custom_labels: Object.fromEntries(
      Object.entries(rr.enrichment?.customLabels ?? {}).map(([key, value]) => [key, [value].flat()]),
    ),
    business_classification: businessClassification(rr.enrichment?.businessClassification),
    warnings: ((rr.analysis?.evidence?.warnings as string[] | undefined) ?? []).filter(
      (w) => typeof w === "string",
    ),
    // Detections the investigation could not make (a list the RBAC forbade, say): a policy may distrust
    // `pdb_protected: false` when `pdbProtected` is here.
    failed_detections: ((rr.analysis?.evidence?.failedDetections as string[] | undefined) ?? []).filter(
      (d) => typeof d === "string",
    ),
    workflow_trust_level: options.workflowTrustLevel,
    ...(options.override ? { override: options.override } : {}),
    ...(options.identity ? { identity: options.identity } : {}),
  };
}

/** The enrichment's business classification under Kubernaut's keys, empty values left out. */
function businessClassification(
  classified: Record<string, string> | undefined,
): PolicyInput["business_classification"] {
  const keys = {
    businessUnit: "business_unit",
    serviceOwner: "service_owner",
    criticality: "criticality",
    slaRequirement: "sla_requirement",
  } as const;
  return Object.fromEntries(
    Object.entries(keys).flatMap(([ours, theirs]) => {
      const value = classified?.[ours] ?? classified?.[theirs];
      return value ? [[theirs, value]] : [];
    }),
  );
}
