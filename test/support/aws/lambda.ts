import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadConfig, sha256Hex } from "@kubernaut/config";
import { buildIntakeDefinition, INTAKE_FUNCTIONS, localIntakeFunctionArn } from "@kubernaut/intake";
import { buildNotifyDefinition, localNotifyFunctionArn, NOTIFY_FUNCTIONS } from "@kubernaut/notify";
import { buildDefinition, localFunctionArn, TASK_FUNCTIONS } from "@kubernaut/pipeline/definition";
import {
  type ExecutionRecord,
  LOCAL_INTAKE_STATE_MACHINE_ARN,
  LOCAL_NOTIFY_STATE_MACHINE_ARN,
  LOCAL_STATE_MACHINE_ARN,
  LocalStepFunctions,
  serveStepFunctions,
} from "@kubernaut/pipeline/engine";
import { functionFiles } from "@kubernaut/runtime/files";
import {
  deploymentFacts,
  environmentOf,
  FUNCTION_NAMES,
  FUNCTIONS,
  type FunctionName,
  type Machine,
  type PolicyStatement,
  permissionsOf,
  TASK_FUNCTION_NAMES,
} from "@kubernaut/runtime/functions";
import { startSsmStandIn } from "@kubernaut/runtime/standin";
import { createDynamoClient, ensureTable } from "@kubernaut/store";
import { stringify } from "yaml";
import { ACCOUNT, AwsCallRecorder, REGION } from "./iam";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const PREFIX = "/kubernaut/test";
const MACHINE_ARNS: Record<Machine, string> = {
  pipeline: LOCAL_STATE_MACHINE_ARN,
  notify: LOCAL_NOTIFY_STATE_MACHINE_ARN,
  intake: LOCAL_INTAKE_STATE_MACHINE_ARN,
};

export const WEBHOOK_TOKEN = "lambda-webhook-token-0123456789";
export const ADMIN_TOKEN = "lambda-admin-token-0123456789";

type Handler = (event: unknown, context?: unknown) => Promise<unknown>;

interface HttpResult {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
}

/** A Lambda context as the runtime hands it in (what hono/aws-lambda and Powertools read). */
const lambdaContext = (fn: FunctionName) => ({
  functionName: `kubernaut-test-${fn}`,
  functionVersion: "$LATEST",
  invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:kubernaut-test-${fn}`,
  memoryLimitInMB: "512",
  awsRequestId: randomBytes(8).toString("hex"),
  logGroupName: `/aws/lambda/kubernaut-test-${fn}`,
  logStreamName: "test",
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 60_000,
});

/** An API Gateway HTTP API (payload 2.0) event for a request, as the `Http` API hands it to a route's function. */
export function apiGatewayEvent(
  method: string,
  url: string,
  init: { headers?: Record<string, string>; body?: string } = {},
) {
  const parsed = new URL(url, "https://api.example.com");
  const now = new Date();
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: parsed.pathname,
    rawQueryString: parsed.search.slice(1),
    headers: Object.fromEntries(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    requestContext: {
      accountId: ACCOUNT,
      apiId: "test",
      domainName: parsed.host,
      domainPrefix: "api",
      http: { method, path: parsed.pathname, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "test" },
      requestId: randomBytes(8).toString("hex"),
      routeKey: "$default",
      stage: "$default",
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(init.body === undefined ? {} : { body: init.body }),
    isBase64Encoded: false,
  };
}

/**
 * The product as it runs on AWS, minus AWS: every `functions/**` entry imported with the environment its
 * stack sets (from the same table), carrying the files its stack ships (in its own task root), reading
 * its secrets from SSM (a loopback stand-in), its table in DynamoDB Local and its machines on the local
 * engine — whose Lambda tasks invoke those entries with Step Functions' event shapes. Every AWS call a
 * function makes is recorded for the IAM check.
 */
export async function startLambdaWorld(options: {
  dynamoEndpoint: string;
  /** kubernaut.config.yaml as the operator writes it (storage and cluster are filled in here). */
  config: Record<string, unknown>;
  /** The cluster's kubeconfig (the simulator's), shipped with the functions that reach a cluster. */
  kubeconfig: string;
  timeScale?: number;
}) {
  const closers: Array<() => Promise<void>> = [];
  const table = `t-${randomBytes(6).toString("hex")}`;
  await ensureTable(createDynamoClient({ region: REGION, endpoint: options.dynamoEndpoint }), table);

  // The repository as the deployer has it: the config file and the kubeconfig it names.
  const repo = mkdtempSync(join(tmpdir(), "kubernaut-deploy-"));
  writeFileSync(join(repo, "kubeconfig.yaml"), options.kubeconfig);
  writeFileSync(
    join(repo, "kubernaut.config.yaml"),
    stringify({
      ...options.config,
      storage: { tableName: table },
      cluster: { kubeconfig: "kubeconfig.yaml" },
    }),
  );
  const config = loadConfig({ KUBERNAUT_CONFIG: "kubernaut.config.yaml" }, repo);
  const facts = deploymentFacts(config);

  const ssm = await startSsmStandIn({
    [`${PREFIX}/webhook-token`]: WEBHOOK_TOKEN,
    [`${PREFIX}/api-tokens`]: JSON.stringify([
      { name: "oncall-admin", role: "admin", sha256: sha256Hex(ADMIN_TOKEN) },
    ]),
    // stacks/console.ts generates the session secret at deploy time.
    [`${PREFIX}/console-secret`]: randomBytes(32).toString("hex"),
    // The signing secret of a webhook receiver named pager, for the worlds that configure one.
    [`${PREFIX}/notify/webhook-pager`]: randomBytes(32).toString("hex"),
  });
  closers.push(ssm.close);

  const recorder = new AwsCallRecorder();
  const executionClosed: ExecutionRecord[] = [];
  let closedHandler: Handler | undefined;
  const engine = new LocalStepFunctions({
    ...(options.timeScale ? { timeScale: options.timeScale } : {}),
    // The EventBridge rule of stacks/pipeline.ts: FAILED / TIMED_OUT / ABORTED pipeline executions.
    onExecutionClosed: async (execution) => {
      if (execution.stateMachineArn !== LOCAL_STATE_MACHINE_ARN) return;
      if (!["FAILED", "TIMED_OUT", "ABORTED"].includes(execution.status)) return;
      executionClosed.push(execution);
      await closedHandler?.(
        {
          version: "0",
          source: "aws.states",
          "detail-type": "Step Functions Execution Status Change",
          account: ACCOUNT,
          region: REGION,
          time: new Date().toISOString(),
          detail: {
            executionArn: execution.executionArn,
            stateMachineArn: execution.stateMachineArn,
            name: execution.name,
            status: execution.status,
            error: execution.error ?? null,
            cause: execution.cause ?? null,
          },
        },
        lambdaContext("execution-closed"),
      );
    },
  });
  const server = await serveStepFunctions(engine, 0);
  closers.push(async () => {
    await engine.shutdown();
    await server.close();
  });

  // What is the same for every function on AWS: its region, credentials and the services' endpoints.
  const awsEnv = {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_ENDPOINT_URL_DYNAMODB: options.dynamoEndpoint,
    AWS_ENDPOINT_URL_SFN: server.endpoint,
    AWS_ENDPOINT_URL_SSM: ssm.endpoint,
  };
  const savedAwsEnv = Object.fromEntries(Object.keys(awsEnv).map((k) => [k, process.env[k]]));
  Object.assign(process.env, awsEnv);
  closers.push(async () => {
    for (const [k, v] of Object.entries(savedAwsEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  const { lambdaInstrumentation } = await import("@kubernaut/runtime/lambda");
  lambdaInstrumentation.awsClientHook = recorder.hookFor;
  const tables = mkdtempSync(join(tmpdir(), "kubernaut-task-roots-"));
  const environments = {} as Record<FunctionName, Record<string, string>>;
  const entries = {} as Record<FunctionName, Handler>;
  for (const fn of FUNCTION_NAMES) {
    // The function's bundle directory: exactly the files its stack copies.
    const taskRoot = join(tables, fn);
    for (const file of await functionFiles(fn, config, {
      root: repo,
      configFile: "kubernaut.config.yaml",
      buildDir: join(repo, ".build", fn),
    })) {
      mkdirSync(dirname(join(taskRoot, file.to)), { recursive: true });
      copyFileSync(file.from, join(taskRoot, file.to));
    }
    const environment = environmentOf<string>(fn, {
      table,
      machine: (m) => MACHINE_ARNS[m],
      facts,
      prefix: PREFIX,
    });
    environments[fn] = { ...environment, LAMBDA_TASK_ROOT: taskRoot };
    entries[fn] = await importWithEnvironment(fn, environments[fn]);
  }
  closedHandler = entries["execution-closed"];

  const invoke = (fn: FunctionName) => (payload: unknown) => entries[fn](payload, lambdaContext(fn));
  engine.register({
    stateMachineArn: LOCAL_NOTIFY_STATE_MACHINE_ARN,
    definition: buildNotifyDefinition({
      functionArn: localNotifyFunctionArn,
      retry: { maxAttempts: 2, initialBackoffMs: 1_000, maxBackoffMs: 2_000 },
    }),
    handlers: Object.fromEntries(NOTIFY_FUNCTIONS.map((fn) => [fn, invoke(`notify-${fn}`)])),
  });
  engine.register({
    stateMachineArn: LOCAL_STATE_MACHINE_ARN,
    definition: buildDefinition({ functionArn: localFunctionArn, rolloutPollSeconds: 1 }),
    handlers: Object.fromEntries(TASK_FUNCTIONS.map((fn) => [fn, invoke(TASK_FUNCTION_NAMES[fn])])),
  });
  engine.register({
    stateMachineArn: LOCAL_INTAKE_STATE_MACHINE_ARN,
    definition: buildIntakeDefinition({ functionArn: localIntakeFunctionArn, interpretTimeoutSeconds: 60 }),
    handlers: Object.fromEntries(INTAKE_FUNCTIONS.map((fn) => [fn, invoke(fn)])),
  });

  /** A request through API Gateway to the function its route names. */
  const http = async (
    fn: FunctionName,
    method: string,
    path: string,
    init: { token?: string; body?: unknown } = {},
  ): Promise<{ status: number; json: unknown }> => {
    const result = (await entries[fn](
      apiGatewayEvent(method, path, {
        headers: {
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
          ...(init.body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      }),
      lambdaContext(fn),
    )) as HttpResult;
    const type =
      Object.entries(result.headers ?? {}).find(([k]) => k.toLowerCase() === "content-type")?.[1] ?? "";
    const json = result.body && type.includes("json") ? JSON.parse(result.body) : undefined;
    return { status: result.statusCode, json };
  };

  /** The policy the stacks attach to a function, with this world's ARNs. */
  const policyOf = (fn: FunctionName): Array<PolicyStatement<string>> =>
    permissionsOf<string>(fn, {
      table: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${table}`,
      tableIndexes: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${table}/index/*`,
      machine: (m) => MACHINE_ARNS[m],
      parameter: (name) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`,
      facts,
      prefix: PREFIX,
    });

  return {
    table,
    config,
    engine,
    ssm,
    recorder,
    entries,
    environments,
    executionClosed,
    invoke: (fn: FunctionName, event: unknown) => entries[fn](event, lambdaContext(fn)),
    http,
    policyOf,
    async close() {
      for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    },
  };
}

/**
 * Imports one entry as a fresh Lambda container would start it: with exactly its stack's variables
 * (the ones every function shares stay), so a variable the code needs but the table does not declare
 * shows up as a failure here, not on the first deploy.
 */
async function importWithEnvironment(
  fn: FunctionName,
  environment: Record<string, string>,
): Promise<Handler> {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env))
    if (/^(KUBERNAUT_|SLACK_|POWERTOOLS_|LAMBDA_TASK_ROOT)/.test(key)) delete process.env[key];
  Object.assign(process.env, environment);
  try {
    const module = (await import(join(ROOT, FUNCTIONS[fn].handler.replace(/\.handler$/, ".ts")))) as {
      handler: Handler;
    };
    return module.handler;
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}
