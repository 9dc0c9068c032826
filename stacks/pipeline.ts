import { buildDefinition, TASK_FUNCTIONS, type TaskFunction } from "@kubernaut/pipeline/definition";
import { functionFiles } from "./files";
import type { Secrets } from "./secrets";
import { stateMachine } from "./state-machine";
import type { Storage } from "./storage";

const pascal = (name: string) => name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());

/**
 * The remediation state machine (DESIGN §2–3): one function per task, the same JSONPath ASL the local
 * engine runs, deployed with the raw `aws.sfn.StateMachine` (SST's StepFunctions component emits
 * JSONata). An EventBridge rule reconciles executions that close without finishing their remediation.
 */
export async function createPipeline({
  storage,
  secrets,
  notifyStateMachineArn,
}: {
  storage: Storage;
  secrets: Secrets;
  notifyStateMachineArn: $util.Input<string>;
}) {
  const aws = await import("@pulumi/aws");
  const identity = aws.getCallerIdentityOutput();
  const region = aws.getRegionOutput();
  const table = storage.table;
  const tableResources = [table.arn, $interpolate`${table.arn}/index/*`];
  const parameterArn = (name: string) =>
    $interpolate`arn:aws:ssm:${region.name}:${identity.accountId}:parameter${name}`;
  const name = `kubernaut-${$app.stage}-pipeline`;

  const common = {
    runtime: "nodejs22.x" as const,
    architecture: "arm64" as const,
    memory: "512 MB" as const,
    copyFiles: functionFiles(),
    environment: {
      KUBERNAUT_TABLE: table.name,
      KUBERNAUT_CONFIG: "kubernaut.config.yaml",
      KUBERNAUT_WEBHOOK_TOKEN_PARAM: secrets.webhookToken,
      KUBERNAUT_NOTIFY_STATE_MACHINE_ARN: notifyStateMachineArn,
      POWERTOOLS_SERVICE_NAME: "kubernaut",
    },
    // Tasks read and conditionally write remediation records; none may delete or scan.
    permissions: [
      {
        actions: [
          "dynamodb:GetItem",
          "dynamodb:Query",
          "dynamodb:PutItem",
          "dynamodb:UpdateItem",
          "dynamodb:ConditionCheckItem",
        ],
        resources: tableResources,
      },
      { actions: ["ssm:GetParameter"], resources: [parameterArn(secrets.webhookToken)] },
      // Tasks notify by starting the notify state machine; nothing else.
      { actions: ["states:StartExecution"], resources: [notifyStateMachineArn] },
    ],
  };
  const functions = Object.fromEntries(
    TASK_FUNCTIONS.map((fn) => [
      fn,
      new sst.aws.Function(`Task${pascal(fn)}`, {
        ...common,
        handler: `functions/tasks/${fn}.handler`,
        timeout: fn === "analyze" || fn === "execute" ? "5 minutes" : "1 minute",
        // Only analysis may call a model (aianalysis.llm with provider bedrock): Converse is InvokeModel.
        ...(fn === "analyze"
          ? {
              permissions: [
                ...common.permissions,
                {
                  actions: ["bedrock:InvokeModel"],
                  resources: [
                    "arn:aws:bedrock:*::foundation-model/*",
                    "arn:aws:bedrock:*:*:inference-profile/*",
                  ],
                },
              ],
            }
          : {}),
      }),
    ]),
  ) as Record<TaskFunction, sst.aws.Function>;

  const machine = await stateMachine("Pipeline", {
    name,
    functions,
    definition: (functionArn) => buildDefinition({ functionArn }),
  });

  // The one schedule (every minute): the approvals outbox sweep and the effectiveness monitor. One
  // schedule, not two, keeps an idle installation's cost down (see the README's performance section).
  new sst.aws.CronV2("EveryMinute", {
    schedule: "rate(1 minute)",
    function: {
      ...common,
      handler: "functions/schedule.handler",
      timeout: "5 minutes",
      memory: "1024 MB",
      permissions: [
        ...common.permissions,
        // The outbox resumes executions waiting for a decision; task-token APIs take no resource ARN.
        { actions: ["states:SendTaskSuccess", "states:SendTaskFailure"], resources: ["*"] },
      ],
    },
  });

  const reconcile = new sst.aws.Function("ExecutionClosed", {
    ...common,
    handler: "functions/execution-closed.handler",
    timeout: "1 minute",
  });
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
