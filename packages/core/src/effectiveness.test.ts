import { describe, expect, it } from "vitest";
import {
  type AssessmentResult,
  assessHealth,
  type Component,
  describeComponents,
  describeEffectiveness,
  type NotAssessed,
  type PodState,
  scoreAssessment,
  TARGET_NOT_FOUND,
  targetStatusOf,
} from "./effectiveness";

const STARTED = new Date("2026-03-01T12:00:00.500Z");
const BEFORE = "2026-03-01T11:00:00Z";
const AFTER = "2026-03-01T12:01:00Z";
const pod = (state: Partial<PodState> = {}): PodState => ({
  phase: "Running",
  ready: true,
  restarts: 0,
  waiting: [],
  lastTerminations: [],
  createdAt: AFTER,
  terminating: false,
  ...state,
});
const crashLooping = (lastReason: string) =>
  pod({
    ready: false,
    restarts: 4,
    waiting: ["CrashLoopBackOff"],
    lastTerminations: [{ reason: lastReason, finishedAt: AFTER }],
  });

describe("targetStatusOf", () => {
  it.each([
    {
      case: "terminating and finished pods are not active",
      pods: [
        pod(),
        pod({ terminating: true }),
        pod({ phase: "Succeeded", ready: false }),
        pod({ phase: "Failed" }),
      ],
      status: { totalReplicas: 1, readyReplicas: 1 },
    },
    {
      case: "pending pods are counted",
      pods: [pod({ phase: "Pending", ready: false }), pod({ phase: "Pending", ready: false })],
      status: { totalReplicas: 2, readyReplicas: 0, pendingCount: 2 },
    },
    {
      case: "restarts count only on pods created since the remediation started",
      pods: [
        pod({ restarts: 7, createdAt: BEFORE }),
        pod({ restarts: 2 }),
        pod({ restarts: 9, createdAt: undefined }),
      ],
      status: { restartsSinceRemediation: 2 },
    },
    {
      case: "a pod created in the second the remediation started is new",
      pods: [pod({ restarts: 1, createdAt: "2026-03-01T12:00:00Z" })],
      status: { restartsSinceRemediation: 1 },
    },
    {
      case: "a crash loop in any container",
      pods: [pod(), pod({ waiting: ["ContainerCreating", "CrashLoopBackOff"] })],
      status: { crashLoops: true },
    },
    {
      case: "an OOMKill since the remediation",
      pods: [pod({ lastTerminations: [{ reason: "OOMKilled", finishedAt: AFTER }] })],
      status: { oomKilled: true },
    },
    {
      case: "an OOMKill before the remediation is history, even on a pod that lives on",
      pods: [pod({ createdAt: BEFORE, lastTerminations: [{ reason: "OOMKilled", finishedAt: BEFORE }] })],
      status: { oomKilled: false },
    },
    {
      case: "an OOMKill without a time counts on a pod created since the remediation",
      pods: [pod({ lastTerminations: [{ reason: "OOMKilled" }] })],
      status: { oomKilled: true },
    },
    {
      case: "another termination is not an OOMKill",
      pods: [pod({ lastTerminations: [{ reason: "Error", finishedAt: AFTER }] })],
      status: { oomKilled: false },
    },
  ])("$case", ({ pods, status }) => {
    expect(targetStatusOf(pods, STARTED)).toMatchObject({ targetExists: true, ...status });
  });

  it("without a remediation start every restart and OOMKill counts", () => {
    const old = pod({
      restarts: 3,
      createdAt: BEFORE,
      lastTerminations: [{ reason: "OOMKilled", finishedAt: BEFORE }],
    });
    expect(targetStatusOf([old])).toMatchObject({ restartsSinceRemediation: 3, oomKilled: true });
  });
});

describe("assessHealth (Kubernaut's rules, first match wins)", () => {
  it.each([
    { case: "target not found", status: TARGET_NOT_FOUND, score: 0, details: "target resource not found" },
    { case: "no active pods", pods: [], score: 0, details: "target has 0 desired replicas" },
    {
      case: "only terminating pods",
      pods: [pod({ terminating: true })],
      score: 0,
      details: "target has 0 desired replicas",
    },
    {
      case: "a crash loop",
      pods: [pod(), crashLooping("Error")],
      score: 0,
      details: "CrashLoopBackOff detected (1/2 pods ready, 4 restarts)",
    },
    {
      case: "a crash loop after an OOMKill is a crash loop",
      pods: [crashLooping("OOMKilled")],
      score: 0,
      details: "CrashLoopBackOff detected (0/1 pods ready, 4 restarts)",
    },
    {
      case: "0 of N ready",
      pods: [pod({ ready: false }), pod({ ready: false }), pod({ ready: false })],
      score: 0,
      details: "0/3 pods ready",
    },
    {
      case: "all pods pending",
      pods: [pod({ phase: "Pending", ready: false }), pod({ phase: "Pending", ready: false })],
      score: 0,
      details: "0/2 pods ready (2 pending)",
    },
    {
      case: "some ready",
      pods: [pod(), pod({ ready: false })],
      score: 0.5,
      details: "1/2 pods ready (partial)",
    },
    {
      case: "some ready, the rest pending",
      pods: [pod(), pod({ phase: "Pending", ready: false })],
      score: 0.5,
      details: "1/2 pods ready (1 pending)",
    },
    {
      case: "some ready, one OOMKilled and not ready: partial readiness comes first",
      pods: [pod(), pod({ ready: false, lastTerminations: [{ reason: "OOMKilled", finishedAt: AFTER }] })],
      score: 0.5,
      details: "1/2 pods ready (partial)",
    },
    {
      case: "all ready, OOMKilled since the remediation",
      pods: [pod({ restarts: 1, lastTerminations: [{ reason: "OOMKilled", finishedAt: AFTER }] })],
      score: 0.25,
      details: "all 1 pods ready, OOMKilled detected (1 restarts since remediation)",
    },
    {
      case: "all ready, restarts since the remediation",
      pods: [pod({ restarts: 2 }), pod()],
      score: 0.75,
      details: "all 2 pods ready, 2 restarts since remediation",
    },
    {
      case: "all ready, restarts only before the remediation",
      pods: [pod({ restarts: 5, createdAt: BEFORE }), pod()],
      score: 1,
      details: "all 2 pods ready, no restarts",
    },
    { case: "all ready", pods: [pod(), pod()], score: 1, details: "all 2 pods ready, no restarts" },
  ])("$case → $score", ({ status, pods, score, details }) => {
    expect(assessHealth(status ?? targetStatusOf(pods ?? [], STARTED))).toEqual({ score, details });
  });
});

describe("scoreAssessment", () => {
  const all = ["health", "alert", "metrics"] as const;
  const noSource = (details: string) => ({ why: "NoSource" as const, details });
  const NO_ALERT_OR_METRICS_SOURCE = {
    alert: noSource("no Alertmanager configured and no resolved notification received"),
    metrics: noSource("no Prometheus configured"),
  };
  it.each<{
    case: string;
    components: Partial<Record<Component, number>>;
    expected: readonly Component[];
    notAssessed?: Partial<Record<Component, NotAssessed>>;
    result: AssessmentResult;
  }>([
    {
      case: "all components perfect",
      components: { health: 1, alert: 1, metrics: 1 },
      expected: all,
      result: {
        score: 1,
        reason: "Full",
        completeness: "complete: health, alert and metrics",
        outcome: "Remediated",
      },
    },
    {
      case: "weighted mean",
      components: { health: 0.5, alert: 1, metrics: 0 },
      expected: all,
      result: {
        score: 0.55,
        reason: "Full",
        completeness: "complete: health, alert and metrics",
        outcome: "Remediated",
      },
    },
    {
      case: "no Prometheus: metrics not assessed, not zero, and its weight spread over the rest",
      components: { health: 1, alert: 1 },
      expected: ["health", "alert"],
      notAssessed: { metrics: noSource("no Prometheus configured") },
      result: {
        score: 1,
        reason: "Full",
        completeness: "health and alert only: no metrics source configured",
        outcome: "Remediated",
      },
    },
    {
      case: "health only, nothing else configured: a full assessment of what is enabled, and a success",
      components: { health: 1 },
      expected: ["health"],
      notAssessed: NO_ALERT_OR_METRICS_SOURCE,
      result: {
        score: 1,
        reason: "Full",
        completeness: "health only: no alert or metrics source configured",
        outcome: "Remediated",
      },
    },
    {
      case: "the resolved webhook scores the alert without Alertmanager",
      components: { health: 1, alert: 1 },
      expected: ["health"],
      result: {
        score: 1,
        reason: "Full",
        completeness: "health and alert only: no metrics source configured",
        outcome: "Remediated",
      },
    },
    {
      case: "a component that should have been assessed but was not",
      components: { health: 1 },
      expected: all,
      result: {
        score: 1,
        reason: "Partial",
        completeness: "health only: no alert or metrics data",
        outcome: "Remediated",
      },
    },
    {
      case: "Prometheus configured but without an answer",
      components: { health: 1, alert: 1 },
      expected: all,
      notAssessed: { metrics: { why: "NoData", details: "Prometheus returned no restart series" } },
      result: {
        score: 1,
        reason: "MetricsTimedOut",
        completeness: "health and alert only: no metrics data",
        outcome: "Remediated",
      },
    },
    {
      case: "a component that does not apply to the target is not missing",
      components: { alert: 1 },
      expected: ["health"],
      notAssessed: {
        health: { why: "NotApplicable", details: "a HorizontalPodAutoscaler has no pods of its own" },
        metrics: noSource("no Prometheus configured"),
      },
      result: {
        score: 1,
        reason: "Full",
        completeness: "alert only: no metrics source configured, no health for this kind of target",
        outcome: "Remediated",
      },
    },
    {
      case: "poor health",
      components: { health: 0, alert: 0 },
      expected: ["health", "alert"],
      result: {
        score: 0,
        reason: "Full",
        completeness: "health and alert only: no metrics source configured",
        outcome: "Inconclusive",
      },
    },
    {
      case: "half-way is remediated",
      components: { health: 0.5 },
      expected: ["health"],
      result: {
        score: 0.5,
        reason: "Full",
        completeness: "health only: no alert or metrics source configured",
        outcome: "Remediated",
      },
    },
    {
      case: "broken health is not outweighed by a resolved alert",
      components: { health: 0, alert: 1 },
      expected: ["health"],
      result: {
        score: 0.467,
        reason: "Full",
        completeness: "health and alert only: no metrics source configured",
        outcome: "Inconclusive",
      },
    },
    {
      case: "nothing assessed: no score (not 0), and why",
      components: {},
      expected: [],
      notAssessed: { health: noSource("no cluster access"), ...NO_ALERT_OR_METRICS_SOURCE },
      result: {
        score: null,
        reason: "Expired",
        completeness: "nothing assessed: no health, alert or metrics source configured",
        outcome: "Inconclusive",
      },
    },
    {
      case: "nothing assessed although sources are configured",
      components: {},
      expected: all,
      notAssessed: { alert: { why: "NoData", details: "Alertmanager did not answer" } },
      result: {
        score: null,
        reason: "Expired",
        completeness: "nothing assessed: no health, alert or metrics data",
        outcome: "Inconclusive",
      },
    },
  ])("$case", ({ components, expected, notAssessed, result }) => {
    expect(
      scoreAssessment({
        components,
        expected,
        ...(notAssessed ? { notAssessed } : {}),
        specDrift: false,
        targetGone: false,
        alertDecayTimedOut: false,
      }),
    ).toEqual(result);
  });

  const completeness = "health and alert only: no metrics source configured";
  it.each([
    [
      { specDrift: true, targetGone: false, alertDecayTimedOut: false },
      { score: 0, reason: "SpecDrift", completeness, outcome: "Inconclusive" },
    ],
    [
      { specDrift: false, targetGone: true, alertDecayTimedOut: false },
      { score: 0, reason: "Unrecoverable", completeness, outcome: "Inconclusive" },
    ],
    [
      { specDrift: false, targetGone: false, alertDecayTimedOut: true },
      { score: 0.533, reason: "AlertDecayTimeout", completeness, outcome: "Remediated" },
    ],
  ])("%j", (flags, result) => {
    expect(
      scoreAssessment({ components: { health: 1, alert: 0 }, expected: ["health", "alert"], ...flags }),
    ).toEqual(result);
  });
});

describe("describeEffectiveness: the score, then what it rests on", () => {
  it.each([
    {
      record: {
        score: 1,
        reason: "Full",
        completeness: "health only: no alert or metrics source configured",
      },
      text: "1.00, health only: no alert or metrics source configured",
    },
    {
      record: { score: 0.55, reason: "Full", completeness: "complete: health, alert and metrics" },
      text: "0.55, complete: health, alert and metrics",
    },
    {
      record: {
        score: null,
        reason: "Expired",
        completeness: "nothing assessed: no health, alert or metrics source configured",
      },
      text: "not scored, nothing assessed: no health, alert or metrics source configured",
    },
    {
      record: {
        score: 0,
        reason: "SpecDrift",
        completeness: "health only: no alert or metrics source configured",
      },
      text: "0.00, voided by spec drift (the target's spec changed after the remediation), health only: no alert or metrics source configured",
    },
    {
      record: { score: 1, reason: "MetricsTimedOut", completeness: "health and alert only: no metrics data" },
      text: "1.00, Prometheus gave no usable answer, health and alert only: no metrics data",
    },
    { record: { score: 1, reason: "Partial" }, text: "1.00, assessment Partial" },
  ])("$text", ({ record, text }) => {
    expect(describeEffectiveness(record)).toBe(text);
  });

  it("lists each component with its score and words, or why it has none", () => {
    expect(
      describeComponents({
        score: 1,
        reason: "Full",
        components: { health: 1 },
        details: {
          health: "all 2 pods ready, no restarts",
          alert: "not assessed: no Alertmanager configured and no resolved notification received",
          metrics: "not assessed: no Prometheus configured",
        },
      }),
    ).toEqual([
      "health 1.00: all 2 pods ready, no restarts",
      "alert not assessed: no Alertmanager configured and no resolved notification received",
      "metrics not assessed: no Prometheus configured",
    ]);
    expect(describeComponents({ score: 0.5, reason: "Partial", components: { alert: 0.5 } })).toEqual([
      "alert 0.50",
    ]);
  });
});
