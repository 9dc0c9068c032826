import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from "@aws-sdk/client-sfn";
import { createApp } from "@kubernaut/api";
import { isTerminal } from "@kubernaut/core";
import { StepFunctionsStarter } from "@kubernaut/ingest";
import {
  APPROVAL_REJECTED,
  buildDefinition,
  localFunctionArn,
  reconcileAfterRestart,
  TransientError,
  validateDefinition,
} from "@kubernaut/pipeline";
import { approvalIdFor } from "@kubernaut/store";
import { afterEach, describe, expect, it } from "vitest";
import { webhook } from "./support/alerts";
import { fixture } from "./support/fixtures";
import { createPipelineHarness, type PipelineHarness } from "./support/pipeline";

/** A crash-looping Deployment in staging: the catalog has workflows for it, so it reaches the policy. */
const crashLoop = (name = "checkout") =>
  webhook([
    {
      labels: { alertname: "PodCrashLooping", severity: "critical", namespace: "staging", deployment: name },
    },
  ]);

const harnesses: PipelineHarness[] = [];
async function harness(...args: Parameters<typeof createPipelineHarness>) {
  const h = await createPipelineHarness(...args);
  harnesses.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.pipeline.close()));
});

async function createdId(h: PipelineHarness, body: unknown): Promise<string> {
  const [result] = await h.postAlerts(body);
  expect(result?.status).toBe("created");
  return result?.remediationId as string;
}

async function waitForApprovalRequest(h: PipelineHarness, id: string) {
  await h.waitFor(id, (rr) => rr.phase === "AwaitingApproval");
  const rar = await h.approvals.get(approvalIdFor(id));
  expect(rar).toBeDefined();
  return rar as NonNullable<typeof rar>;
}

describe("the state machine definition", () => {
  it("a broken definition is caught by the validator", () => {
    const definition = buildDefinition({ functionArn: localFunctionArn });
    (definition.States.Route as { Default: string }).Default = "Nowhere";
    expect(validateDefinition(definition).join("\n")).toMatch(/Nowhere/);
  });

  it("is valid ASL (JSONPath, no JSONata)", () => {
    const definition = buildDefinition({ functionArn: localFunctionArn });
    expect(validateDefinition(definition)).toEqual([]);
    expect(JSON.stringify(definition)).not.toContain("JSONata");
  });

  it("gives every task a timeout, a retry on transient errors and a catch (except the failure path itself)", () => {
    const definition = buildDefinition({ functionArn: localFunctionArn });
    for (const [name, state] of Object.entries(definition.States) as Array<
      [string, Record<string, unknown>]
    >) {
      if (state.Type !== "Task") continue;
      expect(state.TimeoutSeconds ?? state.TimeoutSecondsPath, name).toBeDefined();
      expect(state.Retry, name).toEqual([
        expect.objectContaining({ ErrorEquals: expect.arrayContaining(["TransientError"]) }),
      ]);
      if (!name.startsWith("Record")) expect(state.Catch, name).toBeDefined();
    }
  });
});

describe("the pipeline through the local engine", () => {
  it("Level 1: a dry run ends DryRun with what it would have done, and holds the fingerprint", async () => {
    const h = await harness({ remediationOrchestrator: { dryRun: true } });
    const id = await createdId(h, fixture("high-memory-alert.json"));

    const rr = await h.waitFor(id, (r) => isTerminal(r.phase));

    expect(rr).toMatchObject({ phase: "Completed", outcome: "DryRun" });
    expect(rr.wouldHaveDone).toMatchObject({
      workflowId: "increase-memory-limits-v1",
      actionType: "IncreaseMemoryLimits",
      // 1.5 × the 2 GiB limit the alert reports, as an absolute value.
      parameters: { container: "webapp", memoryLimit: 3_221_225_472 },
      target: { kind: "Deployment", name: "webapp-deployment", namespace: "production" },
      // The patch it would have sent.
      change: {
        calls: [
          {
            method: "PATCH",
            path: "/apis/apps/v1/namespaces/production/deployments/webapp-deployment",
            contentType: "application/strategic-merge-patch+json",
            body: {
              metadata: { resourceVersion: "<current>", annotations: { "kubernaut.ai/remediation-id": id } },
              spec: {
                template: {
                  spec: { containers: [{ name: "webapp", resources: { limits: { memory: "3Gi" } } }] },
                },
              },
            },
          },
        ],
      },
    });
    expect(await h.approvals.get(approvalIdFor(id))).toBeUndefined();
    const [again] = await h.postAlerts(fixture("high-memory-alert.json"));
    expect(again).toMatchObject({ status: "held", remediationId: id });
    const audit = (await h.store.timeline(id))?.audit.map((e) => e.type);
    expect(audit).toEqual(["RemediationCreated", "SignalProcessed", "AnalysisCompleted", "PhaseChanged"]);
  });

  it("approval required: the RAR holds a token; SendTaskSuccess through the SFN client resumes to Execute", async () => {
    const h = await harness();
    const id = await createdId(h, crashLoop());
    const rar = await waitForApprovalRequest(h, id);
    expect(rar).toMatchObject({
      remediationId: id,
      degraded: true,
      reason: expect.stringMatching(/no approval policy/),
    });

    await h.pipeline.sfn.send(
      new SendTaskSuccessCommand({
        taskToken: rar.taskToken,
        output: JSON.stringify({ decision: "Approved" }),
      }),
    );

    // Execute refuses until the cluster issue installs executors, and says so; nothing claims success.
    const rr = await h.waitFor(id, (r) => isTerminal(r.phase));
    expect(rr).toMatchObject({
      phase: "Failed",
      failurePhase: "Executing",
      reason: expect.stringMatching(/^ExecutorUnavailable: no executor for/),
    });
    // A token works once.
    await expect(
      h.pipeline.sfn.send(new SendTaskSuccessCommand({ taskToken: rar.taskToken, output: "{}" })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it("approval rejected: SendTaskFailure ends the remediation Failed in Approval with a backoff hold", async () => {
    const h = await harness();
    const id = await createdId(h, crashLoop());
    const rar = await waitForApprovalRequest(h, id);

    await h.pipeline.sfn.send(
      new SendTaskFailureCommand({
        taskToken: rar.taskToken,
        error: APPROVAL_REJECTED,
        cause: "not during the sale",
      }),
    );

    const rr = await h.waitFor(id, (r) => isTerminal(r.phase));
    expect(rr).toMatchObject({ phase: "Failed", failurePhase: "Approval", reason: "Rejected" });
    const [next] = await h.postAlerts(crashLoop());
    expect(next).toMatchObject({ status: "held" });
  });

  it("an approval nobody decides expires when requiredBy passes", async () => {
    const h = await harness(
      {},
      { tune: (config) => Object.assign(config.approval, { requiredBy: 800, timeoutGrace: 200 }) },
    );
    const id = await createdId(h, crashLoop());
    const rar = await waitForApprovalRequest(h, id);

    const rr = await h.waitFor(id, (r) => isTerminal(r.phase), 5_000);

    expect(rr).toMatchObject({ phase: "Failed", failurePhase: "Approval", reason: "Expired" });
    await expect(
      h.pipeline.sfn.send(new SendTaskSuccessCommand({ taskToken: rar.taskToken, output: "{}" })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it("a task that throws a transient error succeeds on retry", async () => {
    let failures = 0;
    const h = await harness(
      { remediationOrchestrator: { dryRun: true } },
      {
        wrapHandlers: (handlers) => ({
          ...handlers,
          analyze: async (payload) => {
            if (failures++ === 0) throw new TransientError("ProvisionedThroughputExceededException");
            return handlers.analyze(payload);
          },
        }),
      },
    );
    const id = await createdId(h, fixture("high-memory-alert.json"));

    const rr = await h.waitFor(id, (r) => isTerminal(r.phase));

    expect(rr).toMatchObject({ phase: "Completed", outcome: "DryRun" });
    expect(failures).toBe(2);
    // The remediation is terminal before its execution closes (the last task still notifies).
    await h.pipeline.engine.idle();
    const { events = [] } = await h.pipeline.sfn.send(
      new GetExecutionHistoryCommand({
        executionArn: `${h.pipeline.stateMachineArn.replace(":stateMachine:", ":execution:")}:${id}`,
      }),
    );
    const types = events.map((e) => e.type);
    expect(types).toContain("TaskFailed");
    expect(types.at(-1)).toBe("ExecutionSucceeded");
  });

  it("a task that fails for good is caught into the failure path, which records the outcome", async () => {
    const h = await harness(
      {},
      {
        wrapHandlers: (handlers) => ({
          ...handlers,
          analyze: async () => {
            throw Object.assign(new Error("the investigator crashed"), { name: "InvestigatorCrashed" });
          },
        }),
      },
    );
    const id = await createdId(h, crashLoop());

    const rr = await h.waitFor(id, (r) => isTerminal(r.phase));

    expect(rr).toMatchObject({
      phase: "Failed",
      failurePhase: "Processing",
      reason: "InvestigatorCrashed: the investigator crashed",
    });
    const timeline = (await h.store.timeline(id))?.audit ?? [];
    expect(timeline.at(-1)).toMatchObject({ type: "PhaseChanged", details: { to: "Failed" } });
  });

  it("a second StartExecution with the same name starts no second execution", async () => {
    const h = await harness({ remediationOrchestrator: { dryRun: true } });
    const id = await createdId(h, crashLoop());
    const input = JSON.stringify({ remediationId: id });

    const again = await h.pipeline.sfn
      .send(new StartExecutionCommand({ stateMachineArn: h.pipeline.stateMachineArn, name: id, input }))
      .catch((error: unknown) => error);
    const different = await h.pipeline.sfn
      .send(
        new StartExecutionCommand({
          stateMachineArn: h.pipeline.stateMachineArn,
          name: id,
          input: '{"remediationId":"other"}',
        }),
      )
      .catch((error: unknown) => error);

    // Running with the same input: the same execution back. Finished, or another input: ExecutionAlreadyExists.
    if (!(again instanceof ExecutionAlreadyExists))
      expect(again).toMatchObject({ executionArn: expect.stringContaining(id) });
    expect(different).toBeInstanceOf(ExecutionAlreadyExists);
    expect(h.pipeline.engine.listExecutions()).toHaveLength(1);
    const described = await h.pipeline.sfn.send(
      new DescribeExecutionCommand({ executionArn: h.pipeline.engine.listExecutions()[0]?.executionArn }),
    );
    expect(described.name).toBe(id);
  });

  it("an unknown task token is TaskDoesNotExist", async () => {
    const h = await harness();
    await expect(
      h.pipeline.sfn.send(new SendTaskSuccessCommand({ taskToken: "forged", output: "{}" })),
    ).rejects.toBeInstanceOf(TaskDoesNotExist);
  });

  it("a config change applies to the next remediation without a restart", async () => {
    const h = await harness({ remediationOrchestrator: { dryRun: true } });
    const first = await createdId(h, crashLoop("one"));
    expect(await h.waitFor(first, (r) => isTerminal(r.phase))).toMatchObject({ outcome: "DryRun" });

    h.config.remediationOrchestrator.dryRun = false;
    const second = await createdId(h, crashLoop("two"));
    expect(await h.waitFor(second, (r) => r.phase === "AwaitingApproval")).toMatchObject({
      phase: "AwaitingApproval",
    });
  });

  it("no catalog workflow for the alert → ManualReviewRequired with a suggestion, held", async () => {
    const h = await harness();
    const id = await createdId(
      h,
      webhook([
        {
          labels: {
            alertname: "DiskPressure",
            severity: "warning",
            namespace: "staging",
            deployment: "cache",
          },
        },
      ]),
    );
    const rr = await h.waitFor(id, (r) => isTerminal(r.phase));
    expect(rr).toMatchObject({
      phase: "Completed",
      outcome: "ManualReviewRequired",
      reason: expect.stringMatching(
        /^no workflow matches; suggestion sug-rr-\S+ \(POST \/api\/v1\/suggestions\/sug-rr-\S+\/workflow makes it a workflow\): /,
      ),
    });
    const [next] = await h.postAlerts(
      webhook([
        {
          labels: {
            alertname: "DiskPressure",
            severity: "warning",
            namespace: "staging",
            deployment: "cache",
          },
        },
      ]),
    );
    expect(next).toMatchObject({ status: "held", remediationId: id });
  });
});

describe("restarting the local engine", () => {
  it("reconciles remediations an earlier run left in flight", async () => {
    // Prepare: one remediation waiting for approval, one written but never started.
    const h = await harness();
    const waiting = await createdId(h, crashLoop("waiting"));
    await waitForApprovalRequest(h, waiting);
    const brokenStarter = {
      start: async () => Promise.reject(Object.assign(new Error("down"), { name: "ServiceUnavailable" })),
    };
    const crashed = await createApp({ config: h.config, store: h.store, starter: brokenStarter }).request(
      "/api/v1/signals/prometheus",
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: "Bearer test-webhook-token-0123456789",
        },
        body: JSON.stringify(crashLoop("stranded")),
      },
    );
    expect(crashed.status).toBe(503);
    const [stranded] = (await h.store.list({ phase: "Pending", limit: 10 })).items;
    expect(stranded).toBeDefined();

    // Act: the engine goes away (executions lived in memory) and a new one starts on the same table.
    await h.pipeline.close();
    h.config.remediationOrchestrator.dryRun = true;
    const restarted = await h.startEngine(0.01);
    harnesses.push({ ...h, pipeline: restarted });
    const report = await reconcileAfterRestart(h.store, (rr) =>
      new StepFunctionsStarter(restarted.sfn, restarted.stateMachineArn).start(rr),
    );

    // Assess: the never-started one runs now; the half-done one is failed, not re-run.
    expect(report).toEqual({ restarted: [stranded?.id], failed: [waiting] });
    expect(await h.waitFor(waiting, (r) => isTerminal(r.phase))).toMatchObject({
      phase: "Failed",
      reason: "EngineRestarted",
      failurePhase: "AwaitingApproval",
    });
    expect(await h.waitFor(stranded?.id as string, (r) => isTerminal(r.phase))).toMatchObject({
      phase: "Completed",
      outcome: "DryRun",
    });
  });
});
