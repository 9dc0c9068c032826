import { afterEach, describe, expect, it, vi } from "vitest";
import { LocalStepFunctions } from "./local-engine";

const ARN = "arn:aws:states:us-east-1:000000000000:stateMachine:timeout-test";

/** One callback task whose timeout comes from the input, as AwaitApproval's does from `requiredBy`. */
const definition = {
  StartAt: "Await",
  States: {
    Await: {
      Type: "Task",
      Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
      Parameters: {
        FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:kubernaut-await",
        Payload: { "token.$": "$$.Task.Token" },
      },
      TimeoutSecondsPath: "$.timeoutSeconds",
      End: true,
    },
  },
};

afterEach(() => {
  vi.useRealTimers();
});

describe("the local engine's TimeoutSecondsPath", () => {
  it.each([
    { timeoutSeconds: 900, after: 120_000, status: "RUNNING" },
    { timeoutSeconds: 900, after: 901_000, status: "FAILED" },
  ])(
    "a $timeoutSeconds s callback task is $status after $after ms (not the library's 60 s default)",
    async ({ timeoutSeconds, after, status }) => {
      // Arrange
      vi.useFakeTimers();
      const engine = new LocalStepFunctions();
      engine.register({ stateMachineArn: ARN, definition, handlers: { await: async () => ({}) } });

      // Act
      const execution = engine.startExecution({
        stateMachineArn: ARN,
        input: JSON.stringify({ timeoutSeconds }),
      });
      await vi.advanceTimersByTimeAsync(after);

      // Assess
      expect(engine.describeExecution(execution.executionArn).status).toBe(status);
      engine.stopExecution(execution.executionArn);
    },
  );
});
