import { buildDefinition, TASK_FUNCTIONS, type TaskFunction } from "@kubernaut/pipeline/definition";
import { TASK_FUNCTION_NAMES } from "@kubernaut/runtime/functions";
import { type FunctionContext, functionArgs, lambdaFunction } from "./functions";
import { stateMachine } from "./state-machine";

/**
 * The remediation state machine (DESIGN §2–3): one function per task, the same JSONPath ASL the local
 * engine runs, deployed with the raw `aws.sfn.StateMachine` (SST's StepFunctions component emits
 * JSONata). An EventBridge rule reconciles executions that close without finishing their remediation.
 * What each function reads, ships and may call is its entry in packages/runtime/src/functions.ts.
 */
export async function createPipeline(context: FunctionContext) {
  const aws = await import("@pulumi/aws");
  const functions = Object.fromEntries(
    await Promise.all(
      TASK_FUNCTIONS.map(async (fn) => [fn, await lambdaFunction(TASK_FUNCTION_NAMES[fn], context)] as const),
    ),
  ) as Record<TaskFunction, sst.aws.Function>;

  const machine = await stateMachine("Pipeline", {
    name: `kubernaut-${$app.stage}-pipeline`,
    functions,
    definition: (functionArn) => buildDefinition({ functionArn }),
  });

  // The one schedule (every minute): the approvals outbox sweep and the effectiveness monitor. One
  // schedule, not two, keeps an idle installation's cost down (see the README's performance section).
  new sst.aws.CronV2("EveryMinute", {
    schedule: "rate(1 minute)",
    function: await functionArgs("schedule", context),
  });

  const reconcile = await lambdaFunction("execution-closed", context);
  const rule = new aws.cloudwatch.EventRule("ExecutionClosedRule", {
    eventPattern: $jsonStringify({
      source: ["aws.states"],
      "detail-type": ["Step Functions Execution Status Change"],
      detail: { stateMachineArn: [machine.arn], status: ["FAILED", "TIMED_OUT", "ABORTED"] },
    }),
  });
  new aws.cloudwatch.EventTarget("ExecutionClosedTarget", { rule: rule.name, arn: reconcile.arn });
  new aws.lambda.Permission("ExecutionClosedInvoke", {
    action: "lambda:InvokeFunction",
    function: reconcile.name,
    principal: "events.amazonaws.com",
    sourceArn: rule.arn,
  });
  return { machine, functions };
}
