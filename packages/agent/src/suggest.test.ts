import type { Evidence, PodHealth } from "@kubernaut/cluster";
import type { ResourceRef, Signal } from "@kubernaut/core";
import { describe, expect, it } from "vitest";
import { suggestPlan } from "./suggest";

const signal = (annotations: Record<string, string> = {}): Signal =>
  ({ alertName: "Mystery", labels: {}, annotations, severity: "warning" }) as unknown as Signal;
const deployment: ResourceRef = { kind: "Deployment", name: "api", namespace: "shop" };
const pod = (over: Partial<PodHealth>): PodHealth => ({
  name: "api-x",
  ready: false,
  phase: "Running",
  restarts: 0,
  node: "n1",
  ...over,
});
const evidence = (over: Partial<Evidence>): Evidence =>
  ({
    target: deployment,
    pods: [],
    events: [],
    logs: [],
    rollout: [],
    resources: [],
    nodes: [],
    detectedLabels: {},
    ...over,
  }) as Evidence;

describe("suggestPlan", () => {
  it.each([
    {
      case: "image pull failures",
      evidence: evidence({ pods: [pod({ waiting: "ImagePullBackOff" })] }),
      summary: /cannot pull their image/,
      action: "RestartPod",
    },
    {
      case: "unschedulable pods",
      evidence: evidence({ pods: [pod({ phase: "Pending", node: undefined })] }),
      summary: /cannot be scheduled/,
      action: "ScaleReplicas",
    },
    {
      case: "a node under pressure",
      evidence: evidence({
        pods: [pod({})],
        nodes: [{ name: "n1", ready: true, unschedulable: false, pressure: ["DiskPressure"] }],
      }),
      summary: /node n1, which is DiskPressure/,
      action: "CordonDrainNode",
    },
    {
      case: "nothing in the evidence",
      evidence: evidence({ pods: [pod({ ready: true })] }),
      summary: /no workflow addresses/,
      action: "RestartPod",
    },
    {
      case: "no evidence at all",
      evidence: undefined,
      summary: /^Mystery on Deployment\/api in shop/,
      action: "RestartPod",
    },
  ])("$case", ({ evidence, summary, action }) => {
    const plan = suggestPlan(signal(), deployment, evidence);
    expect(plan.summary).toMatch(summary);
    expect(plan.proposedActionType).toBe(action);
    expect(plan.steps.filter((s) => s.kind === "action").map((s) => s.actionType)).toEqual([action]);
  });

  it("quotes the alert's description and runbook", () => {
    const plan = suggestPlan(
      signal({ description: "queue is stuck", runbook_url: "https://rb/q" }),
      deployment,
      undefined,
    );
    expect(plan.steps[0]?.description).toBe(
      'Confirm what Mystery means ("queue is stuck"); its runbook: https://rb/q.',
    );
  });

  it("proposes no action where no catalog action fits the target (a namespace)", () => {
    const plan = suggestPlan(signal(), { kind: "Namespace", name: "shop" }, undefined);
    expect(plan.proposedActionType).toBeUndefined();
    expect(plan.steps.every((s) => s.kind === "investigate")).toBe(true);
  });
});
