import { buildIntakeDefinition, INTAKE_FUNCTIONS, type IntakeFunction } from "@kubernaut/intake/definition";
import { functionFiles } from "./files";
import type { Secrets } from "./secrets";
import { stateMachine } from "./state-machine";
import type { Storage } from "./storage";

const pascal = (name: string) => name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());

/**
 * The intake state machine (DESIGN §2): free text → structured signal (the model, in its own function
 * so the ingest function never loads an LLM client) → the ingest logic, which starts remediations on the
 * pipeline machine. Same JSONPath ASL as the local engine, deployed with the raw `aws.sfn.StateMachine`.
 */
export async function createIntake({
  storage,
  secrets,
  stateMachineArn,
}: {
  storage: Storage;
  secrets: Secrets;
  stateMachineArn: $util.Input<string>;
}) {
  const aws = await import("@pulumi/aws");
  const identity = aws.getCallerIdentityOutput();
  const region = aws.getRegionOutput();
  const table = storage.table;
  const tableResources = [table.arn, $interpolate`${table.arn}/index/*`];
  const parameterArn = (name: string) =>
    $interpolate`arn:aws:ssm:${region.name}:${identity.accountId}:parameter${name}`;

  const permissions = [
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
    // Submit starts remediations exactly as the webhook does.
    { actions: ["states:StartExecution"], resources: [stateMachineArn] },
  ];
  const functions = Object.fromEntries(
    INTAKE_FUNCTIONS.map((fn) => [
      fn,
      new sst.aws.Function(pascal(fn), {
        runtime: "nodejs22.x",
        architecture: "arm64",
        memory: "512 MB",
        copyFiles: functionFiles(),
        handler: `functions/intake/${fn.replace(/^intake-/, "")}.handler`,
        timeout: fn === "intake-interpret" ? "5 minutes" : "1 minute",
        environment: {
          KUBERNAUT_TABLE: table.name,
          KUBERNAUT_CONFIG: "kubernaut.config.yaml",
          KUBERNAUT_WEBHOOK_TOKEN_PARAM: secrets.webhookToken,
          KUBERNAUT_STATE_MACHINE_ARN: stateMachineArn,
          POWERTOOLS_SERVICE_NAME: "kubernaut",
        },
        permissions:
          fn === "intake-interpret"
            ? [
                ...permissions,
                {
                  actions: ["bedrock:InvokeModel"],
                  resources: [
                    "arn:aws:bedrock:*::foundation-model/*",
                    "arn:aws:bedrock:*:*:inference-profile/*",
                  ],
                },
              ]
            : permissions,
      }),
    ]),
  ) as Record<IntakeFunction, sst.aws.Function>;

  const machine = await stateMachine("Intake", {
    name: `kubernaut-${$app.stage}-intake`,
    functions,
    definition: (functionArn) =>
      buildIntakeDefinition({
        functionArn,
        // The Lambda's own 5-minute timeout bounds the model's budget (at most 15 minutes in config).
        interpretTimeoutSeconds: 300,
      }),
  });
  return { machine, functions };
}
