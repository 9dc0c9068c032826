import type { Evidence, PodHealth } from "@kubernaut/cluster";
import type { RemediationRequest } from "@kubernaut/core";
import { CATALOG, defineWorkflow } from "@kubernaut/workflows";
import { describe, expect, it } from "vitest";
import { alignmentGate, alignmentProblems } from "./alignment";
import { applyFeedback, regressionWarning } from "./feedback";
import { decideFromEvidence } from "./rules";
import { selectByAlertName } from "./select";

const pod = (over: Partial<PodHealth> = {}): PodHealth => ({
  name: "api-x",
  ready: true,
  phase: "Running",
  restarts: 0,
  ...over,
});
const crashing = (over: Partial<PodHealth> = {}) =>
  pod({ ready: false, waiting: "CrashLoopBackOff", lastTermination: "Error", restarts: 5, ...over });
const history = (current: string, previous: string) => [
  { revision: 2, images: [current], changed: [`image ${previous} → ${current}`] },
  { revision: 1, images: [previous], changed: [] },
];

function evidence(over: Partial<Evidence> = {}): Evidence {
  return {
    target: {
      kind: "Deployment",
      name: "api",
      namespace: "shop",
      replicas: 2,
      readyReplicas: 2,
      updatedReplicas: 2,
    },
    pods: [pod(), pod()],
    events: [],
    logs: [],
    rollout: history("api:v2", "api:v1"),
    resources: [{ container: "app", requests: {}, limits: { memory: "256Mi" } }],
    nodes: [],
    detectedLabels: {},
    rolloutAgeMs: 5 * 60_000,
    ...over,
  };
}

const rr = (alertName = "KubePodCrashLooping", kind = "Deployment"): RemediationRequest => ({
  id: "rr-1",
  fingerprint: "f",
  phase: "Processing",
  signal: {
    source: "prometheus",
    alertName,
    severity: "critical",
    labels: {},
    annotations: {},
    startsAt: "",
    receivedAt: "",
  },
  targetResource: kind === "Node" ? { kind, name: "worker-1" } : { kind, name: "api", namespace: "shop" },
  targetSource: "label",
  executionName: "rr-1",
  createdAt: "",
  updatedAt: "",
});

describe("decideFromEvidence (the rules investigator)", () => {
  it.each([
    {
      case: "crash loop after a recent rollout, every pod → rollback, strong",
      evidence: evidence({
        pods: [crashing(), crashing()],
        target: {
          kind: "Deployment",
          name: "api",
          namespace: "shop",
          replicas: 2,
          readyReplicas: 0,
          updatedReplicas: 2,
        },
      }),
      expected: { workflowId: "crashloop-rollback-v1", confidence: 0.95, parameters: { toRevision: 1 } },
    },
    {
      case: "crash loop after an old rollout, some pods → rollback, weaker",
      evidence: evidence({ pods: [crashing(), pod()], rolloutAgeMs: 5 * 3_600_000 }),
      expected: { workflowId: "crashloop-rollback-v1", confidence: 0.8 },
    },
    {
      case: "crash loop with no rollout → restart, below the floor",
      evidence: evidence({
        pods: [crashing(), crashing()],
        rollout: [{ revision: 1, images: ["api:v1"], changed: [] }],
      }),
      expected: { workflowId: "restart-pod-v1", confidence: 0.6 },
    },
    {
      case: "OOMKilled → absolute doubled memory",
      evidence: evidence({
        pods: [crashing({ lastTermination: "OOMKilled" }), crashing({ lastTermination: "OOMKilled" })],
      }),
      expected: {
        workflowId: "increase-memory-limits-v1",
        confidence: 0.85,
        parameters: { container: "app", memoryLimit: 536_870_912 },
      },
    },
    {
      case: "OOMKilled at the cap → proposed with low confidence",
      evidence: evidence({
        pods: [crashing({ lastTermination: "OOMKilled" })],
        resources: [{ container: "app", requests: {}, limits: { memory: "8Gi" } }],
      }),
      expected: {
        workflowId: "increase-memory-limits-v1",
        confidence: 0.5,
        parameters: { memoryLimit: 8 * 1024 ** 3 },
      },
    },
    {
      case: "image pull failure after a rollout → rollback",
      evidence: evidence({
        pods: [
          pod({ ready: false, waiting: "ImagePullBackOff" }),
          pod({ ready: false, waiting: "ImagePullBackOff" }),
        ],
      }),
      expected: { workflowId: "crashloop-rollback-v1", confidence: 0.9 },
    },
    {
      case: "stuck rollout (pending pods) → rollback, cautious",
      evidence: evidence({
        pods: [pod({ ready: false, phase: "Pending" }), pod()],
        target: {
          kind: "Deployment",
          name: "api",
          namespace: "shop",
          replicas: 2,
          readyReplicas: 1,
          updatedReplicas: 1,
        },
      }),
      expected: { workflowId: "crashloop-rollback-v1", confidence: 0.7 },
    },
    {
      case: "HPA at max → patch HPA",
      evidence: evidence({
        hpa: { name: "api", minReplicas: 2, maxReplicas: 4, currentReplicas: 4, saturated: true },
      }),
      expected: { workflowId: "patch-hpa-v1", confidence: 0.8, parameters: { maxReplicas: 6 } },
    },
  ])("$case", ({ evidence: e, expected }) => {
    expect(decideFromEvidence(e, rr())).toMatchObject({ actionable: true, aligned: true, ...expected });
  });

  it("a healthy target needs no action", () => {
    expect(decideFromEvidence(evidence(), rr())).toMatchObject({
      actionable: false,
      rootCause: "Deployment/api is healthy: 2/2 pods ready",
    });
  });

  it("a NotReady node is cordoned and drained; a Ready one needs nothing", () => {
    const node = (ready: boolean) =>
      evidence({
        target: { kind: "Node", name: "worker-1", ready },
        pods: [],
        rollout: [],
        resources: [],
        nodes: [{ name: "worker-1", ready, unschedulable: false, pressure: ["MemoryPressure"] }],
      });
    expect(decideFromEvidence(node(false), rr("KubeNodeNotReady", "Node"))).toMatchObject({
      workflowId: "cordon-drain-node-v1",
      parameters: { drain: true },
    });
    expect(decideFromEvidence(node(true), rr("KubeNodeNotReady", "Node"))).toMatchObject({
      actionable: false,
    });
  });

  it("an alert it does not understand, on a target with unexplained trouble, matches nothing", () => {
    const odd = evidence({
      pods: [pod({ ready: false, phase: "Running" }), pod()],
      rollout: [{ revision: 1, images: ["api:v1"], changed: [] }],
    });
    const result = decideFromEvidence(odd, rr("DiskAlmostFull"));
    expect(result.workflowId).toBeUndefined();
    expect(result).toMatchObject({
      aligned: false,
      suggestion: expect.stringContaining("consider registering a workflow for DiskAlmostFull"),
    });
  });

  it("a crash-looping workload whose alert no workflow lists still gets the generic restart, at low confidence", () => {
    // Issue 20: not nothing. The evidence decides; the alert's name is a team's own.
    const result = decideFromEvidence(
      evidence({
        pods: [crashing(), crashing()],
        rollout: [{ revision: 1, images: ["api:v1"], changed: [] }],
      }),
      rr("CheckoutServiceDown"),
    );
    expect(result).toMatchObject({ workflowId: "restart-pod-v1", confidence: 0.6 });
  });

  it.each([
    ["OOMKilled", "increase-memory-limits-v1"],
    ["CrashLoopBackOff", "crashloop-rollback-v1"],
    ["ContainerCrashLooping", "crashloop-rollback-v1"],
  ])("without evidence, %s selects %s by its signal type, not its exact name", (alertName, workflowId) => {
    const result = selectByAlertName(rr(alertName).signal, {
      kind: "Deployment",
      name: "api",
      namespace: "shop",
    });
    expect(result.workflowId).toBe(workflowId);
  });

  it("keeps the alternatives it did not choose, with why", () => {
    const result = decideFromEvidence(evidence({ pods: [crashing(), crashing()] }), rr());
    expect(result.rationale).toContain(
      "not chosen: restart-pod-v1 (a restart runs the same broken revision again)",
    );
  });
});

describe("alignmentProblems (the alignment gate)", () => {
  const base = {
    investigator: "test",
    actionable: true,
    confidence: 0.9,
    parameters: {},
    rootCause: "",
    rationale: "",
    aligned: true,
  };
  it.each([
    {
      case: "a rollback when every pod is ready",
      action: "RollbackDeployment",
      evidence: evidence(),
      problem: /every pod is ready/,
    },
    {
      case: "a rollback for OOMKilled pods",
      action: "RollbackDeployment",
      evidence: evidence({ pods: [crashing({ lastTermination: "OOMKilled" })] }),
      problem: /OOMKilled/,
    },
    {
      case: "a memory increase without an OOMKill",
      action: "IncreaseMemoryLimits",
      evidence: evidence({ pods: [crashing()] }),
      problem: /no container was OOMKilled/,
    },
    {
      case: "a drain of a Ready node",
      action: "CordonDrainNode",
      evidence: evidence({ target: { kind: "Node", name: "api", ready: true } }),
      problem: /the node is Ready/,
    },
    {
      case: "a manual scale under an HPA",
      action: "ScaleReplicas",
      evidence: evidence({
        hpa: { name: "api", minReplicas: 1, maxReplicas: 2, currentReplicas: 2, saturated: true },
      }),
      problem: /HPA manages/,
    },
  ])("catches $case", ({ action, evidence: e, problem }) => {
    expect(
      alignmentProblems({ ...base, actionType: action }, e, { kind: "Deployment", name: "api" }).join("; "),
    ).toMatch(problem);
  });

  it("agrees with a selection the evidence supports", () => {
    expect(
      alignmentProblems({ ...base, actionType: "RollbackDeployment" }, evidence({ pods: [crashing()] }), {
        kind: "Deployment",
        name: "api",
      }),
    ).toEqual([]);
  });

  it("catches evidence about another object", () => {
    expect(
      alignmentProblems({ ...base, actionType: "RestartPod" }, evidence({ pods: [crashing()] }), {
        kind: "Deployment",
        name: "other",
      })[0],
    ).toMatch(/not the target/);
  });
});

describe("applyFeedback", () => {
  const analysis = {
    investigator: "rules",
    actionable: true,
    workflowId: "w",
    confidence: 0.8,
    parameters: {},
    rootCause: "",
    rationale: "r",
    aligned: true,
  };
  const past = (score: number | null) => ({
    ...rr(),
    workflowExecution: {
      workflowId: "w",
      workflowVersion: "1",
      actionType: "X",
      parameters: {},
      target: { kind: "Deployment", name: "api" },
      startedAt: "",
    },
    effectiveness: { score, reason: "Full", components: {}, assessedAt: "" },
  });
  it.each([
    { case: "no history", history: [], confidence: 0.8, warned: false },
    { case: "it worked before", history: [past(1), past(0.9)], confidence: 0.85, warned: false },
    { case: "it keeps not working", history: [past(0.2), past(0.3)], confidence: 0.65, warned: true },
    {
      case: "assessments that measured nothing are not failures",
      history: [past(null), past(null)],
      confidence: 0.8,
      warned: false,
    },
    {
      case: "only the scored ones count",
      history: [past(1), past(null), past(0.9)],
      confidence: 0.85,
      warned: false,
    },
  ])("$case", ({ history, confidence, warned }) => {
    const result = applyFeedback(analysis, history as RemediationRequest[]);
    expect(result.analysis.confidence).toBe(confidence);
    expect(result.warnings.length > 0).toBe(warned);
  });
});

describe("regressionWarning", () => {
  const executed = (id: string, preHash: string, postHash: string) =>
    ({
      ...rr(),
      id,
      workflowExecution: {
        workflowId: "rollback-deployment-v1",
        workflowVersion: "1",
        actionType: "RollbackDeployment",
        parameters: {},
        target: { kind: "Deployment", name: "api" },
        startedAt: "",
        preHash,
        postHash,
      },
    }) as RemediationRequest;
  it.each([
    {
      case: "no spec hash could be read",
      current: undefined,
      history: [executed("a", "bad", "good")],
      warns: false,
    },
    { case: "no earlier remediation", current: "bad", history: [], warns: false },
    { case: "the fix still holds", current: "good", history: [executed("a", "bad", "good")], warns: false },
    { case: "the fix was reverted", current: "bad", history: [executed("a", "bad", "good")], warns: true },
    {
      case: "a no-op remediation is not a regression",
      current: "same",
      history: [executed("a", "same", "same")],
      warns: false,
    },
    { case: "an unexecuted remediation has no hashes", current: "bad", history: [rr()], warns: false },
  ])("$case", ({ current, history, warns }) => {
    const warning = regressionWarning(current, history);
    expect(warning !== undefined).toBe(warns);
    if (warns) expect(warning).toMatch(/^regression: .* before a \(rollback-deployment-v1\)/);
  });

  it("reaches the analysis as a warning next to the effectiveness feedback", () => {
    const analysis = {
      investigator: "rules",
      actionable: true,
      workflowId: "w",
      confidence: 0.9,
      parameters: {},
      rootCause: "",
      rationale: "r",
      aligned: true,
    };
    const result = applyFeedback(analysis, [executed("a", "bad", "good")], "bad");
    expect(result.warnings).toEqual([expect.stringMatching(/^regression/)]);
    expect(result.analysis.rationale).toMatch(/; regression/);
    expect(result.analysis.confidence).toBe(0.9);
  });
});

describe("alignmentGate", () => {
  const selection = {
    investigator: "rules",
    actionable: true,
    workflowId: "crashloop-rollback-v1",
    actionType: "RollbackDeployment",
    confidence: 0.95,
    parameters: { toRevision: 1 },
    rootCause: "",
    rationale: "r",
    aligned: true,
  };
  const target = { kind: "Deployment", name: "api" };
  it("passes a selection the evidence supports", () => {
    expect(alignmentGate(selection, evidence({ pods: [crashing(), crashing()] }), target)).toEqual([]);
  });
  it("treats a check that cannot run on malformed evidence as a disagreement", () => {
    const malformed = { target: { kind: "Deployment", name: "api" }, rollout: [] };
    expect(alignmentGate(selection, malformed, target)).toEqual([
      expect.stringMatching(/^the alignment check could not run/),
    ]);
  });
});

/** An operator's workflow: what it declares is how it is selected and checked. */
const scaleAndFlush = defineWorkflow({
  id: "scale-and-flush-v1",
  version: "1.0.0",
  actionType: "ScaleAndFlush",
  description: {
    what: "Scale the queue workers and flush the cache.",
    whenToUse: "The queue backs up.",
    whenNotToUse: "The cache is healthy.",
  },
  signals: ["QueueBacklogHigh"],
  targetKinds: ["Deployment"],
  parameters: { replicas: { type: "integer", description: "workers", default: 4, minimum: 1 } },
  reversible: true,
  blastRadius: "workers",
  steps: [
    { name: "scale", action: "ScaleReplicas", with: { replicas: "{{ parameters.replicas }}" } },
    { name: "flush", job: { image: "shop/cache-tools:1.0", timeout: "5m" } },
  ],
});
const withOperator = [...CATALOG, scaleAndFlush];

describe("operator workflows in the rules and the alignment gate", () => {
  it("the rules choose an operator's workflow by the signal it declares, even when the pods look healthy", () => {
    const analysis = decideFromEvidence(evidence(), rr("QueueBacklogHigh"), withOperator);
    expect(analysis).toMatchObject({
      investigator: "rules",
      workflowId: "scale-and-flush-v1",
      workflowVersion: "1.0.0",
      actionType: "ScaleAndFlush",
      parameters: { replicas: 4 },
      aligned: true,
    });
    expect(analysis.rationale).toContain("Scale the queue workers and flush the cache.");
  });

  it("signals no operator workflow declares go to the evidence rules as before", () => {
    const crash = evidence({ pods: [crashing(), crashing()] });
    expect(decideFromEvidence(crash, rr(), withOperator).workflowId).toBe(
      decideFromEvidence(crash, rr(), CATALOG).workflowId,
    );
  });

  it.each([
    { case: "declared signal, no HPA", alert: "QueueBacklogHigh", hpa: false, problems: [] },
    {
      case: "an alert it does not declare",
      alert: "KubePodCrashLooping",
      hpa: false,
      problems: ["scale-and-flush-v1 declares the signals QueueBacklogHigh, not KubePodCrashLooping"],
    },
    {
      case: "a scale step while an HPA manages the replicas",
      alert: "QueueBacklogHigh",
      hpa: true,
      problems: ["a manual scale was chosen but an HPA manages the replicas"],
    },
  ])(
    "the gate checks what an operator workflow declares and each step's action: $case",
    ({ alert, hpa, problems }) => {
      const e = evidence(
        hpa
          ? { hpa: { name: "api", minReplicas: 1, maxReplicas: 4, currentReplicas: 4, saturated: false } }
          : {},
      );
      const analysis = decideFromEvidence(evidence(), rr("QueueBacklogHigh"), withOperator);
      expect(
        alignmentGate(
          analysis,
          e,
          { kind: "Deployment", name: "api" },
          { workflow: scaleAndFlush, alertName: alert },
        ),
      ).toEqual(problems);
    },
  );
});

describe("a Pod target (its controller not followed, or none)", () => {
  const podEvidence = (over: Partial<PodHealth>) =>
    evidence({
      target: { kind: "Pod", name: "api", namespace: "shop" },
      pods: [pod({ name: "api", ...over })],
      rollout: [],
      rolloutAgeMs: undefined,
    });

  it("a stuck pod gets the catalog's restart by alert name, which the gate checks against the pod's own evidence", () => {
    const found = podEvidence({ ready: false });
    const analysis = decideFromEvidence(found, rr("KubePodNotReady", "Pod"));
    expect(analysis).toMatchObject({ workflowId: "restart-pod-v1", actionType: "RestartPod" });
    expect(alignmentProblems(analysis, found, { kind: "Pod", name: "api" })).toEqual([]);
  });

  it("an OOMKilled pod is not given a memory increase, which has no template to patch on a Pod", () => {
    const analysis = decideFromEvidence(
      podEvidence({ ready: false, lastTermination: "OOMKilled", restarts: 3 }),
      rr("KubeContainerOOMKilled", "Pod"),
    );
    expect(analysis.workflowId).toBeUndefined();
    expect(analysis.suggestion).toContain("KubeContainerOOMKilled");
  });
});
