import { functionFiles } from "./files";
import type { Secrets } from "./secrets";
import type { Storage } from "./storage";

/**
 * The console (DESIGN §2): its own function, so its pages and opa-wasm stay out of the API's and the
 * webhook's cold starts. It decides approvals like the approvals function (table writes, the callback to
 * the waiting execution, a notification) and changes trust levels like the API function, and nothing
 * more. The session-signing secret is generated here and kept as an SSM SecureString, so a deploy needs
 * no manual step; single sign-on is optional (put its JSON settings at `<prefix>/console-oidc`).
 */
export async function createConsole({
  storage,
  secrets,
  notifyStateMachineArn,
  http,
}: {
  storage: Storage;
  secrets: Secrets;
  notifyStateMachineArn: $util.Input<string>;
  /** Mount on an existing HTTP API (e.g. the API's); without one the console gets its own. */
  http?: sst.aws.ApiGatewayV2;
}) {
  const aws = await import("@pulumi/aws");
  const random = await import("@pulumi/random");
  const identity = aws.getCallerIdentityOutput();
  const region = aws.getRegionOutput();
  const table = storage.table;
  const parameterArn = (name: string) =>
    $interpolate`arn:aws:ssm:${region.name}:${identity.accountId}:parameter${name}`;

  const sessionSecretName = `${secrets.prefix}/console-secret`;
  const oidcName = `${secrets.prefix}/console-oidc`;
  // Rotating it (taint and redeploy) signs everybody out, which is what a rotation should do.
  const sessionSecret = new random.RandomPassword("ConsoleSessionSecret", { length: 64, special: false });
  new aws.ssm.Parameter("ConsoleSessionSecretParameter", {
    name: sessionSecretName,
    type: "SecureString",
    value: sessionSecret.result,
  });

  const fn = new sst.aws.Function("Console", {
    runtime: "nodejs22.x",
    architecture: "arm64",
    handler: "functions/console.handler",
    memory: "1024 MB",
    timeout: "10 seconds",
    copyFiles: functionFiles(),
    environment: {
      KUBERNAUT_TABLE: table.name,
      KUBERNAUT_CONFIG: "kubernaut.config.yaml",
      KUBERNAUT_API_TOKENS_PARAM: secrets.apiTokens,
      KUBERNAUT_NOTIFY_STATE_MACHINE_ARN: notifyStateMachineArn,
      KUBERNAUT_CONSOLE_SECRET_PARAM: sessionSecretName,
      KUBERNAUT_CONSOLE_OIDC_PARAM: oidcName,
      POWERTOOLS_SERVICE_NAME: "kubernaut",
    },
    permissions: [
      // Reads for the pages; decisions (one conditional update, the remediation's audit transaction),
      // trust changes and the kill switch (puts), the system audit chain (a transaction of puts).
      {
        actions: [
          "dynamodb:GetItem",
          "dynamodb:Query",
          "dynamodb:PutItem",
          "dynamodb:UpdateItem",
          "dynamodb:ConditionCheckItem",
        ],
        resources: [table.arn, $interpolate`${table.arn}/index/*`],
      },
      // The task token is the capability and never leaves the table; SendTask* takes no resource ARN.
      { actions: ["states:SendTaskSuccess", "states:SendTaskFailure"], resources: ["*"] },
      // The decision's StatusUpdate notification.
      { actions: ["states:StartExecution"], resources: [notifyStateMachineArn] },
      {
        actions: ["ssm:GetParameter"],
        resources: [parameterArn(secrets.apiTokens), parameterArn(sessionSecretName), parameterArn(oidcName)],
      },
    ],
  });

  const gateway = http ?? new sst.aws.ApiGatewayV2("ConsoleHttp");
  gateway.route("GET /console", fn.arn);
  gateway.route("ANY /console/{proxy+}", fn.arn);
  return { url: gateway.url, fn };
}
