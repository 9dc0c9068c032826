import {
  GetExecutionHistoryCommand,
  SendTaskSuccessCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from "@aws-sdk/client-sfn";
import { deliverDecision, deliverPendingDecisions } from "@kubernaut/approvals";
import { StepFunctionsStarter } from "@kubernaut/ingest";
import {
  reconcileAfterRestart,
  TASK_FUNCTIONS,
  type TaskFunction,
  type TaskHandler,
  TransientError,
} from "@kubernaut/pipeline";
import { approvalIdFor } from "@kubernaut/store";
import { describe, expect, it, type TestContext, vi } from "vitest";
import { crashLoop, type EvidenceHarness, evidenceHarness, PROD_APPROVER } from "./support/harness";

// Issue 11, item 3 (fault injection) for the pipeline itself: a crash between any two steps (the step
// did its work, then failed) followed by Step Functions' retry; a crash between a decision write and its
// delivery; a duplicate SendTaskSuccess; a clock jump past requiredBy; the engine restarting
// mid-execution. Every test ends with the three invariants (recorded outcome, nothing executed twice per
// the cluster's change log, audit chains verify).

type Handlers = Record<TaskFunction, TaskHandler>;

/** A harness of its own per test (most tests run concurrently), closed when the test ends. */
async function open(
  context: TestContext,
  options: Parameters<typeof evidenceHarness>[0] = {},
): Promise<EvidenceHarness> {
  const harness = await evidenceHarness(options);
  context.onTestFinished(() => harness.close());
  return harness;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The execution's history as `Type` or `Type:State` entries, once the execution has closed. */
async function historyOf(harness: EvidenceHarness, id: string): Promise<string[]> {
  await harness.h.pipeline.engine.idle();
  const { events = [] } = await harness.h.pipeline.sfn.send(
    new GetExecutionHistoryCommand({
      executionArn: `${harness.h.pipeline.stateMachineArn.replace(":stateMachine:", ":execution:")}:${id}`,
    }),
  );
  return events.map((event) => {
    const name = event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name;
    return name ? `${event.type}:${name}` : (event.type ?? "");
  });
}

describe.concurrent("a crash between two pipeline steps, then Step Functions' retry", () => {
  // execute-step runs the second and later steps of a workflow; the built-in workflows here have one,
  // which the Execute task runs. Its crash between steps is test/operator-workflows.test.ts's case.
  it.for(TASK_FUNCTIONS.filter((task) => task !== "execute-step").map((task) => ({ task })))(
    "$task did its work, then failed: the retry repeats nothing that matters",
    async ({ task }, context) => {
      // Prepare: the task runs for real, then throws once as if its Lambda died before answering.
      let attempts = 0;
      const e = await open(context, {
        wrapHandlers: (handlers: Handlers): Handlers => ({
          ...handlers,
          [task]: async (payload: unknown) => {
            const result = await handlers[task](payload);
            if (++attempts === 1) throw new TransientError(`${task} crashed after doing its work`);
            return result;
          },
        }),
      });
      await e.badRollout("production");
      // `finish` is on the paths that end without executing: here, a rejection.
      const decision = task === "finish" ? "Rejected" : "Approved";

      // Act: a production remediation, decided through the API once its request is waiting (for the
      // request-approval step, once its retry has handed the request a fresh token; a decision made in
      // between is the next describe's case).
      const id = await e.create(crashLoop("production"));
      const rarId = await e.awaitingApproval(id);
      if (task === "request-approval") await until(() => attempts >= 2, "the retried request-approval");
      expect((await e.decide(rarId, PROD_APPROVER, { decision })).status).toBe(200);
      const [rr] = await e.expectInvariants();

      // Assess: the step was retried, and the remediation ended as it would have without the crash.
      expect(await historyOf(e, id)).toContain("TaskFailed");
      expect(attempts).toBe(2);
      if (decision === "Approved") {
        expect(rr).toMatchObject({ id, phase: "Completed", outcome: "Remediated" });
        expect(e.proxy?.changes).toEqual([expect.objectContaining({ remediationId: id })]);
      } else {
        expect(rr).toMatchObject({ id, phase: "Failed", reason: "Rejected", failurePhase: "Approval" });
        expect(e.proxy?.changes).toEqual([]);
      }
      // One approval request, one decision in the chain, whatever was retried.
      const audit = (await e.h.store.timeline(id))?.audit ?? [];
      expect(audit.filter((event) => event.type === "ApprovalRequested")).toHaveLength(1);
      expect(audit.filter((event) => event.type === "ApprovalDecided")).toHaveLength(1);
    },
  );
});

describe.concurrent("approval decisions and their delivery", () => {
  it("a crash between the decision write and its delivery: the outbox delivers it, once", async (context) => {
    // Prepare
    const e = await open(context);
    await e.badRollout("production");
    const id = await e.create(crashLoop("production"));
    const rarId = await e.awaitingApproval(id);
    e.h.faults.crashNextDelivery = 1;

    // Act: the decision is written, the process "dies" before delivering it; two sweeps then run at
    // once, as overlapping schedules would.
    const response = await e.decide(rarId, PROD_APPROVER, { decision: "Approved" });
    expect(await response.json()).toMatchObject({ approval: { decision: "Approved" }, delivered: false });
    expect((await e.h.store.get(id))?.phase).toBe("AwaitingApproval");
    const deps = { store: e.h.store, approvals: e.h.approvals, sender: e.h.sender };
    const sweeps = await Promise.all([deliverPendingDecisions(deps), deliverPendingDecisions(deps)]);
    const [rr] = await e.expectInvariants();

    // Assess
    expect(sweeps.reduce((sum, s) => sum + s.delivered, 0)).toBeGreaterThanOrEqual(1);
    expect(sweeps.every((s) => s.failed === 0)).toBe(true);
    expect(await e.h.approvals.undelivered()).toEqual([]);
    expect(rr).toMatchObject({ id, phase: "Completed", outcome: "Remediated" });
    expect(e.proxy?.changes).toEqual([expect.objectContaining({ remediationId: id })]);
    const audit = (await e.h.store.timeline(id))?.audit ?? [];
    expect(audit.filter((event) => event.type === "ApprovalDecided")).toHaveLength(1);
  });

  it("a decision made between a failed request-approval and its retry reaches the retry's token", async (context) => {
    // Prepare: request-approval creates the request, then its Lambda dies; before Step Functions retries
    // it, an approver decides (the request was already visible in the pending list).
    let attempts = 0;
    let retried = false;
    let decidedInTheGap: Response | undefined;
    const e: EvidenceHarness = await open(context, {
      wrapHandlers: (handlers: Handlers): Handlers => ({
        ...handlers,
        "request-approval": async (payload: unknown) => {
          attempts++;
          if (attempts === 2) {
            const { remediationId } = payload as { remediationId: string };
            decidedInTheGap = await e.decide(approvalIdFor(remediationId), PROD_APPROVER, {
              decision: "Approved",
            });
          }
          const result = await handlers["request-approval"](payload);
          if (attempts === 1) throw new TransientError("request-approval crashed after creating the request");
          retried = true;
          return result;
        },
      }),
    });
    await e.badRollout("production");

    // Act: the remediation, then the outbox sweep (every minute on AWS, every 2 s locally).
    const id = await e.create(crashLoop("production"));
    await until(() => retried, "the retried request-approval");
    // The approver's own delivery found the crashed attempt's token closed: nobody was waiting on it.
    expect(await decidedInTheGap?.json()).toMatchObject({
      approval: { decision: "Approved" },
      delivered: false,
    });
    const deps = { store: e.h.store, approvals: e.h.approvals, sender: e.h.sender };
    expect(await deliverPendingDecisions(deps)).toEqual({ delivered: 1, failed: 0 });
    const [rr] = await e.expectInvariants();

    // Assess: the decision reached the retried wait, and the remediation ran once.
    expect(rr).toMatchObject({ id, phase: "Completed", outcome: "Remediated" });
    expect(e.proxy?.changes).toEqual([expect.objectContaining({ remediationId: id })]);
    expect(await e.h.approvals.undelivered()).toEqual([]);
    const audit = (await e.h.store.timeline(id))?.audit ?? [];
    expect(audit.filter((event) => event.type === "ApprovalDecided")).toHaveLength(1);
  });

  it("a duplicate SendTaskSuccess (a redelivered decision, a replayed token) resumes the execution once", async (context) => {
    // Prepare
    const e = await open(context);
    await e.badRollout("production");
    const id = await e.create(crashLoop("production"));
    const rarId = await e.awaitingApproval(id);
    const token = (await e.h.approvals.get(rarId))?.taskToken as string;

    // Act: the decision is delivered by the API, again by a concurrent outbox delivery, and the raw
    // token is replayed through the Step Functions API.
    expect((await e.decide(rarId, PROD_APPROVER, { decision: "Approved" })).status).toBe(200);
    const decided = await e.h.approvals.get(rarId);
    const deps = { store: e.h.store, approvals: e.h.approvals, sender: e.h.sender };
    const again = await Promise.all([
      deliverDecision(deps, decided as NonNullable<typeof decided>),
      deliverDecision(deps, decided as NonNullable<typeof decided>),
    ]);
    const replay = await e.h.pipeline.sfn
      .send(
        new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ decision: "Approved" }) }),
      )
      .catch((error: unknown) => error);
    const [rr] = await e.expectInvariants();

    // Assess: the redeliveries found nobody waiting; the replayed token is refused.
    expect(again).toEqual([false, false]);
    expect(replay).toBeInstanceOf(TaskTimedOut);
    expect(rr).toMatchObject({ id, phase: "Completed", outcome: "Remediated" });
    expect(e.proxy?.changes).toEqual([expect.objectContaining({ remediationId: id })]);
    // The wait for approval ended once, and Execute ran once.
    const history = await historyOf(e, id);
    expect(history.filter((entry) => entry === "TaskStateExited:AwaitApproval")).toHaveLength(1);
    expect(history.filter((entry) => entry === "TaskStateEntered:Execute")).toHaveLength(1);
    const audit = (await e.h.store.timeline(id))?.audit ?? [];
    expect(audit.filter((event) => event.type === "ApprovalDecided")).toHaveLength(1);
    expect(audit.filter((event) => event.type === "WorkflowExecutionStarted")).toHaveLength(1);
  });

  it("a forged token is refused and changes nothing", async (context) => {
    const e = await open(context);
    await e.badRollout("production");
    const id = await e.create(crashLoop("production"));
    await e.awaitingApproval(id);

    const forged = await e.h.pipeline.sfn
      .send(new SendTaskSuccessCommand({ taskToken: "forged-token", output: "{}" }))
      .catch((error: unknown) => error);

    expect(forged).toBeInstanceOf(TaskDoesNotExist);
    expect((await e.h.store.get(id))?.phase).toBe("AwaitingApproval");
  });
});

describe("the clock", () => {
  // Not concurrent: it moves the process's clock, which every other test would see.
  it("a clock jump past requiredBy: a late decision is refused and recorded Expired; the remediation expires, nothing runs", async (context) => {
    // Prepare: a short deadline, so the execution's own timeout comes within the test.
    const e = await open(context, {
      tune: (config) => Object.assign(config.approval, { requiredBy: 2_000, timeoutGrace: 200 }),
    });
    await e.badRollout("production");
    const id = await e.create(crashLoop("production"));
    const rarId = await e.awaitingApproval(id);

    // Act: the API's clock jumps an hour ahead (NTP correcting a slow clock, a VM resumed) and an
    // approver decides.
    context.onTestFinished(() => {
      vi.useRealTimers();
    });
    vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
    vi.setSystemTime(Date.now() + 3_600_000);
    const late = await e.decide(rarId, PROD_APPROVER, { decision: "Approved" });
    const pending = await e.h.app.request("/api/v1/approvals?decision=pending", {
      headers: { authorization: `Bearer ${PROD_APPROVER}` },
    });
    vi.useRealTimers();
    const [rr] = await e.expectInvariants();

    // Assess
    expect(late.status).toBe(409);
    expect(((await late.json()) as { error: { message: string } }).error.message).toMatch(
      /past its deadline|already Expired/,
    );
    expect(((await pending.json()) as { items: unknown[] }).items).toEqual([]);
    expect(await e.h.approvals.get(rarId)).toMatchObject({ decision: "Expired", decidedBy: "system" });
    expect(rr).toMatchObject({ id, phase: "Failed", reason: "Expired", failurePhase: "Approval" });
    expect(rr?.approvalDecision).toBeUndefined();
    expect(e.proxy?.changes).toEqual([]);
  });
});

describe.concurrent("the local engine restarting mid-execution", () => {
  it.for<{ point: string; stall: "patch" | "check-rollout"; applied: boolean }>([
    { point: "while its patch is in flight", stall: "patch", applied: false },
    { point: "after its patch, while the rollout is checked", stall: "check-rollout", applied: true },
  ])(
    "stopped $point: the remediation fails EngineRestarted and nothing is done twice",
    async ({ stall, applied }, context) => {
      // Prepare: the execution stops making progress, as when the process dies: either the apiserver
      // never answers the patch, or the rollout check never returns.
      let reached = false;
      const harness = await open(context, {
        wrapHandlers: (handlers: Handlers): Handlers =>
          stall === "check-rollout"
            ? {
                ...handlers,
                "check-rollout": async () => {
                  reached = true;
                  return new Promise<never>(() => undefined);
                },
              }
            : handlers,
      });
      if (stall === "patch") harness.proxy?.timeOut({ mode: "hang", method: "PATCH", times: 1, afterMs: 0 });
      await harness.badRollout("staging");
      const id = await harness.create(crashLoop("staging"));
      await until(
        () => reached || (harness.proxy?.dropped.length ?? 0) > 0,
        stall === "patch" ? "the patch" : "the rollout check",
      );
      expect((await harness.h.store.get(id))?.phase).toBe("Executing");
      const changesBefore = harness.proxy?.changes.length ?? 0;

      // Act: the engine goes away (executions live in memory) and a new one starts on the same table.
      await harness.h.pipeline.close();
      const restarted = await harness.h.startEngine(0.05);
      harness.h.pipeline = restarted;
      const report = await reconcileAfterRestart(harness.h.store, (rr) =>
        new StepFunctionsStarter(restarted.sfn, restarted.stateMachineArn).start(rr),
      );
      const [rr] = await harness.expectInvariants();

      // Assess: failed, not re-run — a half-done execution is never repeated by a restart.
      expect(report).toEqual({ restarted: [], failed: [id] });
      expect(rr).toMatchObject({ id, phase: "Failed", reason: "EngineRestarted", failurePhase: "Executing" });
      expect(changesBefore).toBe(applied ? 1 : 0);
      expect(harness.proxy?.changes).toHaveLength(changesBefore);
    },
  );
});
