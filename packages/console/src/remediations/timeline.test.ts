import { describe, expect, it } from "vitest";
import { approvedTrail, chain, remediation } from "../testing/fixtures";
import { liveFragment } from "./page";
import { buildTimeline, describeEvent } from "./timeline";

const summary = (timeline: ReturnType<typeof buildTimeline>) =>
  timeline.stages.map((s) => [s.id, s.status, s.events.map((e) => e.type), s.durationMs]);

describe("the timeline", () => {
  it("folds an approved, executed and assessed remediation into its eight stages with durations", () => {
    // Prepare
    const rr = remediation({
      phase: "Completed",
      outcome: "Remediated",
      completedAt: "2026-11-26T02:30:22.485Z",
    });
    // Act
    const timeline = buildTimeline(rr, chain(approvedTrail()));
    // Assess
    expect(summary(timeline)).toEqual([
      ["signal", "done", ["RemediationCreated"], 0],
      ["enrichment", "done", ["SignalProcessed"], 556],
      ["analysis", "done", ["AnalysisCompleted"], 291],
      ["policy", "done", ["PolicyEvaluated"], 61],
      ["approval", "done", ["ApprovalRequested", "ApprovalDecided", "PhaseChanged"], 330],
      // The execution's events carry its start time, a little before the phase change: never negative.
      ["execution", "done", ["WorkflowExecutionStarted", "WorkflowExecuted"], 0],
      ["rollout", "done", ["RolloutChecked", "PhaseChanged"], 290],
      // A resolved alert after execution is assessment evidence.
      ["assessment", "done", ["SignalResolved", "EffectivenessAssessed"], 400_101],
    ]);
    expect(timeline.final).toBe(true);
    expect(timeline.totalMs).toBe(401_629);
  });

  it("marks where a running remediation is, and what it has not reached yet", () => {
    const trail = approvedTrail().slice(0, 5);
    const timeline = buildTimeline(remediation({ phase: "AwaitingApproval" }), chain(trail));
    expect(timeline.stages.map((s) => s.status)).toEqual([
      "done",
      "done",
      "done",
      "done",
      "current",
      "waiting",
      "waiting",
      "waiting",
    ]);
    expect(timeline.final).toBe(false);
  });

  it("calls a stage nobody needed skipped, and stages after a dry run not reached", () => {
    const trail = approvedTrail();
    const autoApproved = [...trail.slice(0, 4), ...trail.slice(6)];
    const ran = buildTimeline(remediation({ phase: "Verifying" }), chain(autoApproved));
    expect(ran.stages.find((s) => s.id === "approval")?.status).toBe("skipped");

    const dryRun = buildTimeline(
      remediation({ phase: "Completed", outcome: "DryRun" }),
      chain([
        ...trail.slice(0, 3),
        {
          type: "PhaseChanged",
          at: "2026-11-26T02:23:41.800Z",
          actor: { type: "system", id: "pipeline", channel: "pipeline" },
          details: { from: "Analyzing", to: "Completed", outcome: "DryRun", reason: "Level 1 (observe)" },
        },
      ]),
    );
    expect(summary(dryRun).map(([id, status, events]) => [id, status, events])).toEqual([
      ["signal", "done", ["RemediationCreated"]],
      ["enrichment", "done", ["SignalProcessed"]],
      ["analysis", "done", ["AnalysisCompleted", "PhaseChanged"]],
      ["policy", "not-reached", []],
      ["approval", "not-reached", []],
      ["execution", "not-reached", []],
      ["rollout", "not-reached", []],
      ["assessment", "not-reached", []],
    ]);
  });

  it.each([
    [5, "Approved by alice via console — roll back further"],
    [2, "selected crashloop-rollback-v1 at confidence 0.95 (trust level approve)"],
    [3, "approval required: production environment"],
    [6, "AwaitingApproval → Executing"],
    [12, "score 1.00, assessment Full → Remediated"],
    [0, "alert KubePodCrashLooping on Deployment production/checkout"],
  ])("describes event %i as %j", (index, text) => {
    const event = chain(approvedTrail())[index];
    if (!event) throw new Error("no such event");
    expect(describeEvent(event)).toBe(text);
  });

  it.each([
    {
      details: {
        score: 1,
        reason: "Full",
        completeness: "health only: no alert or metrics source configured",
        to: "Completed",
        outcome: "Remediated",
      },
      text: "score 1.00, health only: no alert or metrics source configured → Remediated",
    },
    {
      details: {
        score: null,
        reason: "Expired",
        completeness: "nothing assessed: no health for this kind of target",
        outcome: "Inconclusive",
      },
      text: "not scored, nothing assessed: no health for this kind of target → Inconclusive",
    },
  ])("says an assessment's completeness apart from its score: $text", ({ details, text }) => {
    const event = {
      seq: 1,
      at: "2026-11-26T02:30:22.485Z",
      type: "EffectivenessAssessed",
      actor: { type: "system" as const, id: "effectiveness-monitor", channel: "pipeline" as const },
      details,
      prevHash: "",
      hash: "",
    };
    expect(describeEvent(event)).toBe(text);
  });
});

describe("the timeline in chain order (issue 21)", () => {
  it("reads top to bottom in sequence: an earlier stage's event during approval stays in approval", () => {
    const trail = approvedTrail().slice(0, 7);
    // The policy re-evaluates an override after the decision: a later event of an earlier stage.
    const reEvaluated = {
      ...trail[3],
      type: "PolicyEvaluated",
      at: "2026-11-26T02:23:41.990Z",
    } as (typeof trail)[number];
    const events = chain([...trail, reEvaluated]);
    const timeline = buildTimeline(remediation({ phase: "Executing" }), events);
    const flattened = timeline.stages.flatMap((s) => s.events.map((e) => e.seq));
    expect(flattened).toEqual(events.map((e) => e.seq));
    expect(timeline.stages.find((s) => s.id === "approval")?.events.map((e) => e.type)).toEqual([
      "ApprovalRequested",
      "ApprovalDecided",
      "PhaseChanged",
      "PolicyEvaluated",
    ]);
  });

  it("says when an event's clock is behind the event before it, instead of hiding it", () => {
    const rr = remediation({
      phase: "Completed",
      outcome: "Remediated",
      completedAt: "2026-11-26T02:30:22.485Z",
    });
    const text = liveFragment(rr, chain(approvedTrail())).value;
    // WorkflowExecutionStarted was stamped 56 ms before the PhaseChanged written just before it.
    expect(text).toMatch(
      /data-event="WorkflowExecutionStarted">\n<time[^>]*>\+1\.2 s<\/time> <span class="skew muted" data-testid="skew">\(its clock is 56 ms behind the event before\)<\/span>/,
    );
    expect(text.match(/data-testid="skew"/g)).toHaveLength(2);
  });
});
