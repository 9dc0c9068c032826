import { SFNClient } from "@aws-sdk/client-sfn";
import { StepFunctionsDecisionSender } from "@kubernaut/approvals/outbox";
import { StepFunctionsIntakeStarter, StepFunctionsStarter } from "@kubernaut/ingest";
import { machineArn, type Runtime } from "../runtime";

/**
 * The Step Functions client: the local engine's endpoint locally (with throwaway credentials), the
 * function's regional endpoint on AWS.
 */
export const stepFunctions = (rt: Runtime) =>
  rt.part("stepFunctions", () => {
    const endpoint = rt.adapters.stepFunctionsEndpoint;
    const client = new SFNClient({
      ...(rt.adapters.region ? { region: rt.adapters.region } : {}),
      ...(endpoint
        ? {
            endpoint,
            region: rt.adapters.region ?? "us-east-1",
            credentials: { accessKeyId: "local", secretAccessKey: "local" },
          }
        : {}),
      maxAttempts: 3,
    });
    rt.adapters.awsClientHook?.(client);
    return client;
  });

/** Starts a remediation's execution (named by the remediation, so a repeated start is idempotent). */
export const pipelineStarter = (rt: Runtime) =>
  rt.part("pipelineStarter", () => new StepFunctionsStarter(stepFunctions(rt), machineArn(rt, "pipeline")));

/** Starts an intake's execution. */
export const intakeStarter = (rt: Runtime) =>
  rt.part("intakeStarter", () => new StepFunctionsIntakeStarter(stepFunctions(rt), machineArn(rt, "intake")));

/** Hands recorded approval decisions to their waiting executions (SendTaskSuccess / Failure). */
export const decisionSender = (rt: Runtime) =>
  rt.part("decisionSender", () => new StepFunctionsDecisionSender(stepFunctions(rt)));
