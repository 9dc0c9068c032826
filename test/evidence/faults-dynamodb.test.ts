import { GetExecutionHistoryCommand } from "@aws-sdk/client-sfn";
import { describe, expect, it, type TestContext } from "vitest";
import { type DynamoFaultKind, WRITE_COMMANDS } from "./support/dynamo-faults";
import {
  crashLoop,
  type EvidenceHarness,
  evidenceHarness,
  REMEDIATED_STEPS,
  stepsOf,
} from "./support/harness";

// Issue 11, item 3 (fault injection): DynamoDB throttling and 500s, wherever they strike. Every test
// ends with the three invariants: each accepted alert ends in a recorded outcome, nothing executes
// twice (the cluster's change log), every audit chain verifies.

/** A harness of its own per test (the tests run concurrently), closed when the test ends. */
async function open(context: TestContext): Promise<EvidenceHarness> {
  const harness = await evidenceHarness();
  context.onTestFinished(() => harness.close());
  return harness;
}

/** Step Functions' history of a remediation's execution: where the engine's retries show. */
async function historyTypes(harness: EvidenceHarness, id: string): Promise<string[]> {
  await harness.h.pipeline.engine.idle();
  const { events = [] } = await harness.h.pipeline.sfn.send(
    new GetExecutionHistoryCommand({
      executionArn: `${harness.h.pipeline.stateMachineArn.replace(":stateMachine:", ":execution:")}:${id}`,
    }),
  );
  return events.map((event) => event.type ?? "");
}

describe.concurrent("DynamoDB faults the SDK gave up on reach the application", () => {
  it.for<{ kind: DynamoFaultKind; command: string; what: string }>([
    { kind: "throttle", command: "TransactWriteItemsCommand", what: "the creation transaction" },
    { kind: "internal", command: "TransactWriteItemsCommand", what: "the creation transaction" },
    { kind: "throttle", command: "QueryCommand", what: "the fingerprint read" },
    { kind: "internal", command: "QueryCommand", what: "the fingerprint read" },
  ])(
    "$kind on $what: the webhook answers 503 with Retry-After, the redelivery creates one remediation",
    async ({ kind, command }, context) => {
      // Prepare
      const e = await open(context);
      await e.badRollout("staging");
      e.faults.inject({ kind, placement: "exhausted", commands: [command], times: 2 });

      // Act: Alertmanager delivers, gets 503 twice, redelivers.
      const [answer] = await e.deliver(crashLoop("staging"));

      // Assess
      expect(e.faults.injected).toHaveLength(2);
      expect(answer).toMatchObject({ status: "created" });
      const [rr] = await e.expectInvariants();
      expect(rr).toMatchObject({ phase: "Completed", outcome: "Remediated" });
      expect(await stepsOf(e.h, rr?.id as string)).toEqual(REMEDIATED_STEPS);
      expect(e.proxy?.changes).toHaveLength(1);
    },
  );

  it.for<DynamoFaultKind>(["throttle", "internal"])(
    "%s on every third write while the pipeline runs: Step Functions retries the tasks, the remediation completes once",
    async (kind, context) => {
      // Prepare: the faults start after ingest, so they hit the pipeline's tasks.
      const e = await open(context);
      await e.badRollout("staging");
      const id = await e.create(crashLoop("staging"));
      e.faults.inject({ kind, placement: "exhausted", commands: WRITE_COMMANDS, every: 3, times: 6 });

      // Act
      const [rr] = await e.expectInvariants();

      // Assess: the faults struck, the engine retried the failed tasks, and the outcome is the clean one.
      expect(e.faults.injected).toHaveLength(6);
      expect(await historyTypes(e, id)).toContain("TaskFailed");
      expect(rr).toMatchObject({ id, phase: "Completed", outcome: "Remediated" });
      expect(await stepsOf(e.h, id)).toEqual(REMEDIATED_STEPS);
      expect(e.proxy?.changes).toEqual([expect.objectContaining({ method: "PATCH", remediationId: id })]);
    },
  );
});

describe.concurrent("DynamoDB faults inside the SDK's retry loop", () => {
  it.for<DynamoFaultKind>(["throttle", "internal"])(
    "%s before the request leaves: the SDK retries and the pipeline never sees it",
    async (kind, context) => {
      const e = await open(context);
      await e.badRollout("staging");
      e.faults.inject({ kind, placement: "transient", every: 4, times: 4 });

      const id = await e.create(crashLoop("staging"));
      const [rr] = await e.expectInvariants();

      expect(e.faults.injected).toHaveLength(4);
      expect(await historyTypes(e, id)).not.toContain("TaskFailed");
      expect(rr).toMatchObject({ phase: "Completed", outcome: "Remediated" });
      expect(await stepsOf(e.h, id)).toEqual(REMEDIATED_STEPS);
    },
  );

  it("a 500 after the write was applied (the answer lost): the re-sent write changes nothing twice", async (context) => {
    // Prepare: ambiguous failures on writes — DynamoDB applied them, the SDK re-sends them.
    const e = await open(context);
    await e.badRollout("staging");
    e.faults.inject({
      kind: "internal",
      placement: "ambiguous",
      commands: WRITE_COMMANDS,
      every: 2,
      times: 12,
    });

    // Act
    const id = await e.create(crashLoop("staging"));
    const [rr] = await e.expectInvariants();

    // Assess: every re-sent write found its work done; the chain holds each step once.
    expect(e.faults.exhausted).toBe(true);
    expect(rr).toMatchObject({ id, phase: "Completed", outcome: "Remediated" });
    expect(await stepsOf(e.h, id)).toEqual(REMEDIATED_STEPS);
    expect(e.proxy?.changes).toHaveLength(1);
  });
});
