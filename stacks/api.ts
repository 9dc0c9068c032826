import { functionFiles } from "./files";
import type { Secrets } from "./secrets";
import type { Storage } from "./storage";

/**
 * HTTP route groups, each its own Lambda so each stays small (DESIGN §2): ingest (Alertmanager webhook
 * and text intake, which only records the request and starts the intake machine) and api (read routes). Permissions are spelled out per function instead of `link`, which would grant
 * `dynamodb:*`: ingest can read and conditionally write items and start executions, nothing else.
 */
export async function createApi({
  storage,
  secrets,
  stateMachineArn,
  intakeStateMachineArn,
  notifyStateMachineArn,
}: {
  storage: Storage;
  secrets: Secrets;
  stateMachineArn: $util.Input<string>;
  intakeStateMachineArn: $util.Input<string>;
  notifyStateMachineArn: $util.Input<string>;
}) {
  const aws = await import("@pulumi/aws");
  const identity = aws.getCallerIdentityOutput();
  const region = aws.getRegionOutput();
  const table = storage.table;
  const tableResources = [table.arn, $interpolate`${table.arn}/index/*`];
  const parameterArn = (name: string) =>
    $interpolate`arn:aws:ssm:${region.name}:${identity.accountId}:parameter${name}`;

  const common = {
    runtime: "nodejs22.x" as const,
    architecture: "arm64" as const,
    copyFiles: functionFiles(),
    environment: {
      KUBERNAUT_TABLE: table.name,
      KUBERNAUT_CONFIG: "kubernaut.config.yaml",
      KUBERNAUT_WEBHOOK_TOKEN_PARAM: secrets.webhookToken,
      KUBERNAUT_API_TOKENS_PARAM: secrets.apiTokens,
      POWERTOOLS_SERVICE_NAME: "kubernaut",
    },
  };
  const readSecrets = {
    actions: ["ssm:GetParameter"],
    resources: [parameterArn(secrets.webhookToken), parameterArn(secrets.apiTokens)],
  };

  // What may start remediations (the webhook, A2A) and intake requests (text): read and conditionally
  // write items, start both machines, read the tokens — nothing else.
  const ingestEnvironment = {
    ...common.environment,
    KUBERNAUT_STATE_MACHINE_ARN: stateMachineArn,
    KUBERNAUT_INTAKE_STATE_MACHINE_ARN: intakeStateMachineArn,
  };
  const ingestPermissions = [
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
    { actions: ["states:StartExecution"], resources: [stateMachineArn, intakeStateMachineArn] },
    readSecrets,
  ];
  const ingest = new sst.aws.Function("Ingest", {
    ...common,
    handler: "functions/ingest.handler",
    memory: "512 MB",
    timeout: "10 seconds",
    environment: ingestEnvironment,
    permissions: ingestPermissions,
  });

  const api = new sst.aws.Function("Api", {
    ...common,
    handler: "functions/api.handler",
    memory: "512 MB",
    timeout: "10 seconds",
    permissions: [
      // Reads, plus trust changes, the kill switch, releases (holds deleted), workflows registered from
      // suggestions (a transaction of Update + Put: IAM checks each item action) and their audit events.
      {
        actions: [
          "dynamodb:GetItem",
          "dynamodb:Query",
          "dynamodb:PutItem",
          "dynamodb:UpdateItem",
          "dynamodb:DeleteItem",
          "dynamodb:ConditionCheckItem",
        ],
        resources: tableResources,
      },
      readSecrets,
    ],
  });

  // Approvals: decide (one conditional write) and hand the decision to the waiting execution. The task
  // token APIs accept no resource ARN, so SendTask* must be granted on "*"; the token itself is the
  // capability, and it never leaves the table (API responses strip it, Slack buttons carry only the id).
  const approvalPermissions = [
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
    { actions: ["states:SendTaskSuccess", "states:SendTaskFailure"], resources: ["*"] },
    { actions: ["states:StartExecution"], resources: [notifyStateMachineArn] },
    readSecrets,
    { actions: ["ssm:GetParameter"], resources: [parameterArn(`${secrets.prefix}/notify/slack-*`)] },
  ];
  const approvalsEnvironment = {
    ...common.environment,
    KUBERNAUT_NOTIFY_STATE_MACHINE_ARN: notifyStateMachineArn,
    // Slack's signing secret and bot token: SecureStrings next to the notify secrets.
    SLACK_SIGNING_SECRET_PARAM: `${secrets.prefix}/notify/slack-signing-secret`,
    SLACK_BOT_TOKEN_PARAM: `${secrets.prefix}/notify/slack-bot-token`,
  };
  const approvals = new sst.aws.Function("Approvals", {
    ...common,
    handler: "functions/approvals.handler",
    memory: "1024 MB",
    timeout: "10 seconds",
    environment: approvalsEnvironment,
    permissions: approvalPermissions,
  });

  // Assistants and agents (MCP): the API's route groups in one function, since every MCP tool is an API
  // call made in-process with the caller's token.
  const agents = new sst.aws.Function("Agents", {
    ...common,
    handler: "functions/agents.handler",
    memory: "1024 MB",
    timeout: "30 seconds",
    environment: {
      ...approvalsEnvironment,
      KUBERNAUT_STATE_MACHINE_ARN: stateMachineArn,
      KUBERNAUT_INTAKE_STATE_MACHINE_ARN: intakeStateMachineArn,
    },
    permissions: [
      ...approvalPermissions,
      { actions: ["dynamodb:DeleteItem"], resources: tableResources },
      { actions: ["states:StartExecution"], resources: [stateMachineArn, intakeStateMachineArn] },
    ],
  });

  // A2A: messages become signals exactly as ingest's do; its tasks are items in the same table.
  const a2a = new sst.aws.Function("A2a", {
    ...common,
    handler: "functions/a2a.handler",
    memory: "512 MB",
    timeout: "10 seconds",
    environment: ingestEnvironment,
    permissions: ingestPermissions,
  });

  const http = new sst.aws.ApiGatewayV2("Http");
  http.route("POST /api/v1/signals/prometheus", ingest.arn);
  http.route("POST /api/v1/signals/text", ingest.arn);
  http.route("GET /api/v1/intake/{id}", ingest.arn);
  http.route("GET /api/v1/remediations", api.arn);
  http.route("GET /api/v1/remediations/{id}", api.arn);
  http.route("GET /api/v1/workflows", api.arn);
  http.route("PATCH /api/v1/workflows/{id}/trust", api.arn);
  http.route("GET /api/v1/pause", api.arn);
  http.route("GET /api/v1/graduation", api.arn);
  http.route("POST /api/v1/fingerprints/{fp}/release", api.arn);
  http.route("GET /api/v1/suggestions", api.arn);
  http.route("GET /api/v1/suggestions/{id}", api.arn);
  http.route("POST /api/v1/suggestions/{id}/workflow", api.arn);
  http.route("PUT /api/v1/pause", api.arn);
  http.route("DELETE /api/v1/pause", api.arn);
  http.route("GET /healthz", api.arn);
  http.route("GET /api/v1/approvals", approvals.arn);
  http.route("POST /api/v1/approvals/{id}/decision", approvals.arn);
  http.route("POST /api/v1/slack/interactions", approvals.arn);
  http.route("ANY /mcp", agents.arn);
  http.route("GET /.well-known/agent-card.json", a2a.arn);
  http.route("POST /a2a", a2a.arn);
  return { url: http.url, ingest, api, agents, a2a };
}
