import type { RemediationRequest } from "@kubernaut/core";
import { describe, expect, it } from "vitest";
import { buildPolicyInput } from "./input";

const rr = (over: Partial<RemediationRequest> = {}): RemediationRequest => ({
  id: "rr-1",
  fingerprint: "f",
  phase: "Analyzing",
  signal: {
    source: "prometheus",
    alertName: "KubePodCrashLooping",
    severity: "critical",
    labels: {},
    annotations: {},
    startsAt: "",
    receivedAt: "",
  },
  targetResource: { kind: "Deployment", name: "api", namespace: "shop" },
  targetSource: "label",
  executionName: "rr-1",
  createdAt: "",
  updatedAt: "",
  ...over,
});

// Issue 20: where the names are Kubernaut's, the input is Kubernaut's, so its users' policies run.
describe("buildPolicyInput", () => {
  it.each([
    {
      case: "custom labels are lists of values, as Kubernaut's custom_labels are",
      rr: rr({
        enrichment: {
          environment: "Production",
          environmentSource: "x",
          severity: "critical",
          priority: "P0",
          customLabels: { team: "payments", risk_tolerance: ["low", "audited"] },
        },
      }),
      expected: { custom_labels: { team: ["payments"], risk_tolerance: ["low", "audited"] } },
    },
    {
      case: "business classification under Kubernaut's keys, unclassified values left out",
      rr: rr({
        enrichment: {
          environment: "Production",
          environmentSource: "x",
          severity: "critical",
          priority: "P0",
          customLabels: {},
          businessClassification: { businessUnit: "retail", serviceOwner: "", criticality: "high" },
        },
      }),
      expected: { business_classification: { business_unit: "retail", criticality: "high" } },
    },
    {
      case: "detections the investigation could not make are failed_detections",
      rr: rr({
        analysis: {
          investigator: "rules",
          actionable: true,
          confidence: 0.9,
          parameters: {},
          rootCause: "x",
          rationale: "x",
          aligned: true,
          evidence: { failedDetections: ["pdbProtected"], detectedLabels: { pdbProtected: false } },
        },
      }),
      expected: { failed_detections: ["pdbProtected"], detected_labels: { pdbProtected: false } },
    },
  ])("$case", ({ rr: remediation, expected }) => {
    expect(
      buildPolicyInput(remediation, { confidenceThreshold: 0.8, workflowTrustLevel: "approve" }),
    ).toMatchObject(expected);
  });

  it("an override carries who decided: the user and the groups they act for", () => {
    const input = buildPolicyInput(rr(), {
      confidenceThreshold: 0.8,
      workflowTrustLevel: "approve",
      identity: { user: "alice", groups: ["approver"], name: "alice", role: "approver" },
    });
    expect(input.identity).toMatchObject({ user: "alice", groups: ["approver"] });
  });
});
