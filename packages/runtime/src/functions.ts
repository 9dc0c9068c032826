/**
 * What each Lambda function of the product reads, ships and calls — written once. The stacks build
 * each function's environment, `copyFiles` and IAM policy from this table, the Lambda runtime refuses
 * to start when a variable it declares is missing (and refuses to read one it does not declare), and
 * the AWS-entries suite checks every AWS call a function makes against the policy built from here.
 *
 * Pure data and small pure functions: importable by `sst.config.ts` without loading any client.
 */

import type { Config } from "@kubernaut/config";

/** The state machines a function may start executions of. */
export const MACHINES = ["pipeline", "notify", "intake"] as const;
export type Machine = (typeof MACHINES)[number];

/** The variable carrying each machine's ARN. */
export const MACHINE_ENV: Record<Machine, string> = {
  pipeline: "KUBERNAUT_STATE_MACHINE_ARN",
  notify: "KUBERNAUT_NOTIFY_STATE_MACHINE_ARN",
  intake: "KUBERNAUT_INTAKE_STATE_MACHINE_ARN",
};

/**
 * Secrets live in SSM Parameter Store SecureStrings (DESIGN §2). A function is told each parameter's
 * name in `<VARIABLE>_PARAM`; at start it reads the value into `<VARIABLE>`, which is where the local
 * loop puts it directly, so the config has one code path.
 */
export const SECRETS = {
  webhookToken: { variable: "KUBERNAUT_WEBHOOK_TOKEN", parameter: "webhook-token" },
  apiTokens: { variable: "KUBERNAUT_API_TOKENS", parameter: "api-tokens" },
  slackBotToken: { variable: "SLACK_BOT_TOKEN", parameter: "notify/slack-bot-token" },
  slackSigningSecret: { variable: "SLACK_SIGNING_SECRET", parameter: "notify/slack-signing-secret" },
  consoleSecret: { variable: "KUBERNAUT_CONSOLE_SECRET", parameter: "console-secret" },
  consoleOidc: { variable: "KUBERNAUT_CONSOLE_OIDC", parameter: "console-oidc" },
} as const;
export type Secret = keyof typeof SECRETS;

/**
 * DynamoDB item actions as IAM names them. A TransactWriteItems is authorised item by item (Put →
 * PutItem, Update → UpdateItem, ConditionCheck → ConditionCheckItem, Delete → DeleteItem).
 */
export type TableAction =
  | "GetItem"
  | "Query"
  | "PutItem"
  | "UpdateItem"
  | "ConditionCheckItem"
  | "DeleteItem";

/** Files a function carries beyond the config file. */
export type FileNeed = "approvalPolicy" | "classificationPolicy" | "kubeconfigs" | "workflowCatalog";

export interface FunctionSpec {
  /** The module under functions/ and its export, as SST's `handler` names it. */
  handler: string;
  /** Why the function exists, for the console of whoever deploys it. */
  description: string;
  memory: `${number} MB`;
  timeout: `${number} ${"second" | "seconds" | "minute" | "minutes"}`;
  /** Item actions on the one table and its indexes. */
  table: readonly TableAction[];
  /** Machines whose executions it starts. */
  starts: readonly Machine[];
  /** It resumes executions waiting on a task token (SendTaskSuccess / SendTaskFailure). */
  resumesExecutions?: true;
  /** SSM SecureStrings it reads at start. */
  secrets: readonly Secret[];
  /** Webhook receivers' signing secrets (`<prefix>/notify/webhook-<receiver>`), for the notifier. */
  webhookSecrets?: true;
  /** The LLM's API key (`aianalysis.llm.apiKeyEnv`) when a model is configured. */
  llm?: true;
  /** It may call Amazon Bedrock, when the config's model is a Bedrock one. */
  invokesModels?: true;
  files: readonly FileNeed[];
}

/**
 * What the stores do: read items and query partitions and indexes, put new items and conditionally
 * update existing ones. Transactions are authorised item by item; no store condition-checks an item on
 * its own, so ConditionCheckItem is granted to nobody.
 */
const READ_WRITE: readonly TableAction[] = ["GetItem", "Query", "PutItem", "UpdateItem"];

/** A task reads its remediation and writes it (with its audit event) by key; only some query. */
const TASK_TABLE: readonly TableAction[] = ["GetItem", "PutItem", "UpdateItem"];

/**
 * A function that notifies delivers each notification itself first (the notify machine only retries),
 * so it reads the channels' secrets the deliver function reads: the Slack bot token and each webhook
 * receiver's signing secret. Its table grants already cover the delivery record and the breaker (Get,
 * Put, Update by key).
 */
const NOTIFIES = {
  secrets: ["slackBotToken"],
  webhookSecrets: true,
} as const satisfies Partial<FunctionSpec>;

/** The pipeline's task functions (one per TaskFunction of packages/pipeline/src/definition). */
const task = (
  name: string,
  spec: Partial<FunctionSpec> & Pick<FunctionSpec, "description">,
): FunctionSpec => ({
  handler: `functions/tasks/${name}.handler`,
  memory: "512 MB",
  timeout: "1 minute",
  table: TASK_TABLE,
  starts: [],
  secrets: [],
  files: [],
  ...spec,
});

/**
 * Every function, keyed by the name the runtime and the stacks use. Holds are ended by expiring them
 * (an UpdateItem of `expiresAt`), never deleted by the pipeline, so only the API (fingerprint release)
 * holds DeleteItem.
 */
export const FUNCTIONS = {
  ingest: {
    handler: "functions/ingest.handler",
    description:
      "Alertmanager webhook and text intake (DESIGN §3.1): small, no cluster, policy, Slack or LLM client",
    memory: "512 MB",
    timeout: "10 seconds",
    table: READ_WRITE,
    starts: ["pipeline", "intake"],
    secrets: ["webhookToken", "apiTokens"],
    files: [],
  },
  api: {
    handler: "functions/api.handler",
    description: "Read routes, workflow trust, suggestions, releases and the kill switch",
    memory: "512 MB",
    timeout: "10 seconds",
    table: [...READ_WRITE, "DeleteItem"],
    starts: [],
    secrets: ["apiTokens"],
    files: ["workflowCatalog"],
  },
  approvals: {
    handler: "functions/approvals.handler",
    description: "Approval decisions through the API and Slack (overrides re-evaluated by the policy)",
    memory: "1024 MB",
    timeout: "10 seconds",
    table: READ_WRITE,
    starts: ["notify"],
    resumesExecutions: true,
    secrets: ["apiTokens", "slackBotToken", "slackSigningSecret"],
    webhookSecrets: true,
    files: ["approvalPolicy", "workflowCatalog"],
  },
  console: {
    handler: "functions/console.handler",
    description: "The console's pages: approvals, remediations, timelines, the trust ladder",
    memory: "1024 MB",
    timeout: "10 seconds",
    table: READ_WRITE,
    starts: ["notify"],
    resumesExecutions: true,
    secrets: ["apiTokens", "consoleSecret", "consoleOidc", "slackBotToken"],
    webhookSecrets: true,
    files: ["approvalPolicy", "workflowCatalog"],
  },
  agents: {
    handler: "functions/agents.handler",
    description: "MCP for assistants: the API's route groups called in-process with the caller's token",
    memory: "1024 MB",
    timeout: "30 seconds",
    table: [...READ_WRITE, "DeleteItem"],
    starts: ["pipeline", "intake", "notify"],
    resumesExecutions: true,
    secrets: ["webhookToken", "apiTokens", "slackBotToken"],
    webhookSecrets: true,
    files: ["approvalPolicy", "workflowCatalog"],
  },
  a2a: {
    handler: "functions/a2a.handler",
    description: "A2A for other agents: messages become signals on the ingest path",
    memory: "512 MB",
    timeout: "10 seconds",
    table: READ_WRITE,
    starts: ["pipeline", "intake"],
    secrets: ["apiTokens"],
    files: [],
  },
  schedule: {
    handler: "functions/schedule.handler",
    description: "Every minute: the approvals outbox sweep and the effectiveness monitor",
    memory: "1024 MB",
    timeout: "5 minutes",
    table: READ_WRITE,
    starts: ["notify"],
    resumesExecutions: true,
    // It delivers to the log and webhooks itself; Slack (no client in its bundle) via the notify machine.
    secrets: [],
    webhookSecrets: true,
    files: ["kubeconfigs"],
  },
  "execution-closed": {
    handler: "functions/execution-closed.handler",
    description: "Fails a remediation whose execution closed (FAILED, TIMED_OUT, ABORTED) before it finished",
    memory: "256 MB",
    timeout: "1 minute",
    table: TASK_TABLE,
    starts: [],
    secrets: [],
    files: [],
  },
  "task-enrich": task("enrich", {
    description: "Enrich: owner chain, classification (Rego), managed scope",
    // A pod-only alert retargeted to its verified owner reads that owner's fingerprint partition.
    table: READ_WRITE,
    files: ["classificationPolicy", "kubeconfigs"],
  }),
  "task-analyze": task("analyze", {
    description: "Analyze: investigation (rules or LLM), selection, alignment, routing guards",
    timeout: "5 minutes",
    // The fingerprint's history feeds the routing guards and effectiveness feedback.
    table: READ_WRITE,
    llm: true,
    invokesModels: true,
    files: ["kubeconfigs", "workflowCatalog"],
  }),
  "task-evaluate-policy": task("evaluate-policy", {
    description: "Evaluate the approval policy (opa-wasm)",
    files: ["approvalPolicy"],
  }),
  "task-request-approval": task("request-approval", {
    description: "Create the RemediationApprovalRequest holding the task token, and notify",
    starts: ["notify"],
    ...NOTIFIES,
  }),
  "task-execute": task("execute", {
    description: "Execute the workflow on the cluster under a per-target lease",
    timeout: "5 minutes",
    // The fingerprint's history decides an oscillation escalation.
    table: READ_WRITE,
    starts: ["notify"],
    ...NOTIFIES,
    files: ["kubeconfigs", "workflowCatalog"],
  }),
  "task-execute-step": task("execute-step", {
    description:
      "Run one step of the workflow: an action on the target, or a Kubernetes Job polled to completion",
    timeout: "5 minutes",
    files: ["kubeconfigs", "workflowCatalog"],
  }),
  "task-check-rollout": task("check-rollout", {
    description: "Check whether the rollout converged",
    files: ["kubeconfigs"],
  }),
  "task-record-outcome": task("record-outcome", {
    description: "Record the outcome, schedule the assessment, release the lease, notify",
    starts: ["notify"],
    ...NOTIFIES,
  }),
  "task-finish": task("finish", {
    description: "End a remediation that does not execute (or failed): outcome, hold, notification",
    starts: ["notify"],
    ...NOTIFIES,
    // A dry run shows every step of the workflow it would have run.
    files: ["workflowCatalog"],
  }),
  "notify-deliver": {
    handler: "functions/notify/deliver.handler",
    description: "One delivery attempt of a notification (Slack, webhook, log)",
    memory: "256 MB",
    timeout: "30 seconds",
    // The notification and its delivery record by key; a breaker's state is put when it changes.
    table: ["GetItem", "PutItem", "UpdateItem"],
    starts: [],
    secrets: ["slackBotToken"],
    webhookSecrets: true,
    files: [],
  },
  "notify-dead-letter": {
    handler: "functions/notify/dead-letter.handler",
    description: "Records a notification that could not be delivered",
    memory: "256 MB",
    timeout: "30 seconds",
    table: ["GetItem", "UpdateItem"],
    starts: [],
    secrets: [],
    files: [],
  },
  "intake-interpret": {
    handler: "functions/intake/interpret.handler",
    description: "Turns a sentence into a structured signal with the model (read-only cluster tools)",
    memory: "512 MB",
    timeout: "5 minutes",
    table: ["GetItem", "UpdateItem"],
    starts: [],
    secrets: [],
    llm: true,
    invokesModels: true,
    files: ["kubeconfigs"],
  },
  "intake-submit": {
    handler: "functions/intake/submit.handler",
    description: "Submits the structured signal to the webhook's ingest logic (dedup included)",
    memory: "512 MB",
    timeout: "1 minute",
    table: READ_WRITE,
    starts: ["pipeline"],
    secrets: [],
    files: [],
  },
  "intake-failed": {
    handler: "functions/intake/failed.handler",
    description: "Records an intake that could not be interpreted or submitted",
    memory: "256 MB",
    timeout: "1 minute",
    table: ["GetItem", "UpdateItem"],
    starts: [],
    secrets: [],
    files: [],
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof FUNCTIONS;
export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];

/** What the environment of every function carries, whatever it does. */
export const COMMON_ENV = ["KUBERNAUT_TABLE", "KUBERNAUT_CONFIG", "POWERTOOLS_SERVICE_NAME"] as const;

/** The few facts of the configuration that decide a function's environment. */
export interface DeploymentFacts {
  /** `aianalysis.llm.apiKeyEnv` when an OpenAI-compatible model is configured. */
  llmApiKeyEnv?: string;
  /** Names of the webhook receivers (`notification.receivers` of type webhook). */
  webhookReceivers: readonly string[];
  /** Whether the model is Amazon Bedrock (aianalysis.llm.provider: bedrock): only then may they invoke it. */
  bedrock: boolean;
}

/** The configuration facts that decide which secrets a function reads. */
export function deploymentFacts(config: Config): DeploymentFacts {
  const llm = config.aianalysis.llm;
  return {
    ...(llm && llm.provider === "openai-compatible" ? { llmApiKeyEnv: llm.apiKeyEnv } : {}),
    webhookReceivers: config.notification.receivers.filter((r) => r.type === "webhook").map((r) => r.name),
    bedrock: llm?.provider === "bedrock",
  };
}

/** The variable a webhook receiver's signing secret lands in (KUBERNAUT_WEBHOOK_SECRET_<NAME>). */
export const webhookSecretVariable = (receiver: string) =>
  `KUBERNAUT_WEBHOOK_SECRET_${receiver.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;

/** SSM parameter names, under the stage's prefix (`/kubernaut/<stage>`). */
export function parameterNames(
  fn: FunctionName,
  facts: DeploymentFacts,
  prefix: string,
): Array<{ variable: string; parameter: string }> {
  const spec: FunctionSpec = FUNCTIONS[fn];
  return [
    ...spec.secrets.map((s) => ({
      variable: SECRETS[s].variable,
      parameter: `${prefix}/${SECRETS[s].parameter}`,
    })),
    ...(spec.webhookSecrets
      ? facts.webhookReceivers.map((receiver) => ({
          variable: webhookSecretVariable(receiver),
          parameter: `${prefix}/notify/webhook-${receiver}`,
        }))
      : []),
    ...(spec.llm && facts.llmApiKeyEnv
      ? [{ variable: facts.llmApiKeyEnv, parameter: `${prefix}/llm-api-key` }]
      : []),
  ];
}

/**
 * A function's environment: the common variables, the ARNs of the machines it starts, and the SSM
 * parameter name of each secret it reads (`<VARIABLE>_PARAM`). `R` is whatever the caller's resource
 * references are (Pulumi outputs in the stacks, strings in tests).
 */
export function environmentOf<R>(
  fn: FunctionName,
  refs: { table: R; machine: (m: Machine) => R; facts: DeploymentFacts; prefix: string },
): Record<string, R | string> {
  const spec: FunctionSpec = FUNCTIONS[fn];
  return {
    KUBERNAUT_TABLE: refs.table,
    KUBERNAUT_CONFIG: "kubernaut.config.yaml",
    POWERTOOLS_SERVICE_NAME: `kubernaut-${fn}`,
    ...Object.fromEntries(spec.starts.map((m) => [MACHINE_ENV[m], refs.machine(m)])),
    ...Object.fromEntries(
      parameterNames(fn, refs.facts, refs.prefix).map(({ variable, parameter }) => [
        `${variable}_PARAM`,
        parameter,
      ]),
    ),
  };
}

/**
 * The variables a function's runtime takes from its environment: exactly what its stack sets. Secret
 * values are not among them: they come from SSM only, so a secret left in a function's plain
 * environment is never read.
 */
export function declaredVariables(fn: FunctionName, facts: DeploymentFacts): Set<string> {
  return new Set(Object.keys(environmentOf(fn, { table: "", machine: () => "", facts, prefix: "" })));
}

export interface PolicyStatement<R> {
  actions: string[];
  resources: Array<R | string>;
}

/**
 * A function's IAM policy, least privilege: its table actions on the table and its indexes, starting
 * the machines it starts, resuming executions (task-token APIs take no resource ARN: the token is the
 * capability, and it never leaves the table), its SSM parameters, and Bedrock where a model may run.
 */
export function permissionsOf<R>(
  fn: FunctionName,
  refs: {
    table: R;
    tableIndexes: R;
    machine: (m: Machine) => R;
    parameter: (name: string) => R;
    facts: DeploymentFacts;
    prefix: string;
  },
): Array<PolicyStatement<R>> {
  const spec: FunctionSpec = FUNCTIONS[fn];
  const statements: Array<PolicyStatement<R>> = [
    { actions: spec.table.map((a) => `dynamodb:${a}`), resources: [refs.table, refs.tableIndexes] },
  ];
  if (spec.starts.length > 0)
    statements.push({ actions: ["states:StartExecution"], resources: spec.starts.map(refs.machine) });
  if (spec.resumesExecutions)
    statements.push({ actions: ["states:SendTaskSuccess", "states:SendTaskFailure"], resources: ["*"] });
  const parameters = parameterNames(fn, refs.facts, refs.prefix);
  if (parameters.length > 0)
    statements.push({
      actions: ["ssm:GetParameter"],
      resources: parameters.map((p) => refs.parameter(p.parameter)),
    });
  if (spec.invokesModels && refs.facts.bedrock)
    statements.push({
      actions: ["bedrock:InvokeModel"],
      resources: ["arn:aws:bedrock:*::foundation-model/*", "arn:aws:bedrock:*:*:inference-profile/*"],
    });
  return statements;
}

/** The function serving each task of the remediation state machine. */
export const TASK_FUNCTION_NAMES = {
  enrich: "task-enrich",
  analyze: "task-analyze",
  "evaluate-policy": "task-evaluate-policy",
  "request-approval": "task-request-approval",
  execute: "task-execute",
  "execute-step": "task-execute-step",
  "check-rollout": "task-check-rollout",
  "record-outcome": "task-record-outcome",
  finish: "task-finish",
} as const satisfies Record<string, FunctionName>;

/**
 * Every route API Gateway sends to a function (stacks/api.ts and stacks/console.ts create them from
 * here); the AWS-entries suite checks that each reaches a handler of that function's app.
 */
export const HTTP_ROUTES = [
  ["POST /api/v1/signals/prometheus", "ingest"],
  ["POST /api/v1/signals/text", "ingest"],
  ["GET /api/v1/intake/{id}", "ingest"],
  ["GET /api/v1/remediations", "api"],
  ["GET /api/v1/remediations/{id}", "api"],
  ["GET /api/v1/workflows", "api"],
  ["POST /api/v1/workflows", "api"],
  ["PATCH /api/v1/workflows/{id}/trust", "api"],
  ["GET /api/v1/pause", "api"],
  ["PUT /api/v1/pause", "api"],
  ["DELETE /api/v1/pause", "api"],
  ["GET /api/v1/graduation", "api"],
  ["POST /api/v1/fingerprints/{fp}/release", "api"],
  ["GET /api/v1/suggestions", "api"],
  ["GET /api/v1/suggestions/{id}", "api"],
  ["POST /api/v1/suggestions/{id}/workflow", "api"],
  ["GET /healthz", "api"],
  ["GET /api/v1/approvals", "approvals"],
  ["POST /api/v1/approvals/{id}/decision", "approvals"],
  ["POST /api/v1/slack/interactions", "approvals"],
  ["ANY /mcp", "agents"],
  ["GET /.well-known/agent-card.json", "a2a"],
  ["POST /a2a", "a2a"],
  ["GET /console", "console"],
  ["ANY /console/{proxy+}", "console"],
] as const satisfies ReadonlyArray<readonly [string, FunctionName]>;
