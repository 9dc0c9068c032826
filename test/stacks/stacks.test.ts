import { existsSync } from "node:fs";
import { join } from "node:path";
import { buildDefinition, TASK_FUNCTIONS } from "@kubernaut/pipeline/definition";
import {
  environmentOf,
  FUNCTION_NAMES,
  FUNCTIONS,
  HTTP_ROUTES,
  TASK_FUNCTION_NAMES,
} from "@kubernaut/runtime/functions";
import { TTL_ATTRIBUTE, tableDefinition } from "@kubernaut/store";
import { beforeAll, describe, expect, it } from "vitest";

// Issue 17, item 5: the stacks run under Pulumi's runtime mocks, so the resource inputs they produce
// are asserted without an AWS account. SST's own components run for real where they can (Dynamo,
// ApiGatewayV2 and its routes); `sst.aws.Function` and `sst.aws.CronV2` cannot: the Function builds its
// code through an RPC to the `sst` CLI's Go process (`rpc.call("Runtime.Build", …)` in
// .sst/platform/src/components/aws/function.ts), which exists only under `sst deploy` / `sst dev`, and
// that CLI needs Pulumi's engine binary, which cannot be downloaded here. Those two are recording
// stand-ins that keep the arguments our stacks pass (handler, environment, files, permissions).

const ROOT = join(import.meta.dirname, "..", "..");
const PLATFORM = join(ROOT, ".sst", "platform");
const ACCOUNT = "000000000000";
const REGION = "eu-west-1";

interface Resource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const resources: Resource[] = [];
const byType = (type: string) => resources.filter((r) => r.type === type);
const one = (type: string, name: string) => {
  const found = resources.find((r) => r.type === type && r.name === name);
  if (!found)
    throw new Error(
      `no ${type} named ${name}; have ${byType(type)
        .map((r) => r.name)
        .join(", ")}`,
    );
  return found;
};
const functionArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

beforeAll(async () => {
  if (!existsSync(join(PLATFORM, "src")))
    throw new Error(
      "the SST platform is not installed: npm test runs `npm run typecheck:sst` first, which installs it",
    );
  // Paths held in variables: the platform's sources are SST's, type-checked by SST, not by this project.
  const platform = (path: string) => join(PLATFORM, path);
  const pulumi = (await import(
    platform("node_modules/@pulumi/pulumi/index.js")
  )) as typeof import("@pulumi/pulumi");
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        resources.push({ type: args.type, name: args.name, inputs: args.inputs });
        return {
          id: `${args.name}-id`,
          state: {
            ...args.inputs,
            arn: `arn:aws:mock:${REGION}:${ACCOUNT}:${args.name}`,
            name: args.inputs.name ?? args.name,
          },
        };
      },
      call: () => ({ accountId: ACCOUNT, name: REGION, id: REGION }),
    },
    "kubernaut",
    "test",
    false,
  );
  class FunctionStandIn extends pulumi.ComponentResource {
    readonly arn;
    readonly name;
    constructor(name: string, args: Record<string, unknown>) {
      super("test:FunctionStandIn", name, {}, {});
      resources.push({ type: "sst:aws:Function", name, inputs: args });
      this.arn = pulumi.output(functionArn(name));
      this.name = pulumi.output(name);
    }
  }
  class CronStandIn {
    constructor(name: string, args: Record<string, unknown>) {
      resources.push({ type: "sst:aws:CronV2", name, inputs: args });
    }
  }
  Object.assign(globalThis, {
    $app: { name: "kubernaut", stage: "test", removal: "remove", providers: {} },
    $dev: false,
    $output: pulumi.output,
    $interpolate: pulumi.interpolate,
    $jsonStringify: pulumi.jsonStringify,
    $resolve: pulumi.all,
    $util: pulumi,
    $config: (input: unknown) => input,
  });
  const { Dynamo } = await import(platform("src/components/aws/dynamo.ts"));
  const { ApiGatewayV2 } = await import(platform("src/components/aws/apigatewayv2.ts"));
  Object.assign(globalThis, {
    sst: { aws: { Dynamo, ApiGatewayV2, Function: FunctionStandIn, CronV2: CronStandIn } },
  });
  const app = (await import(join(ROOT, "sst.config.ts"))).default as { run(): Promise<unknown> };
  await app.run();
  // Let every output settle, so each resource has registered with the mocks.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
}, 120_000);

describe("the stacks, under Pulumi's mocks", () => {
  it("the table has the local loop's keys and indexes, TTL on expiresAt, and point-in-time recovery", () => {
    const table = one("aws:dynamodb/table:Table", "RemediationsTable").inputs;
    const local = tableDefinition("x");
    expect(table).toMatchObject({
      hashKey: "pk",
      rangeKey: "sk",
      ttl: { attributeName: TTL_ATTRIBUTE, enabled: true },
      pointInTimeRecovery: { enabled: true },
    });
    const indexes = (
      table.globalSecondaryIndexes as Array<{ name: string; hashKey: string; rangeKey: string }>
    ).map((i) => [i.name, i.hashKey, i.rangeKey]);
    expect(indexes.sort()).toEqual(
      (local.GlobalSecondaryIndexes ?? [])
        .map((i) => [i.IndexName, i.KeySchema?.[0]?.AttributeName, i.KeySchema?.[1]?.AttributeName])
        .sort(),
    );
  });

  it("every function of the table is deployed with its handler, environment, files and policy", () => {
    const functions = byType("sst:aws:Function");
    expect(functions.map((f) => f.name).sort()).toEqual(
      FUNCTION_NAMES.filter((fn) => fn !== "schedule")
        .map((fn) => fn.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase()))
        .sort(),
    );
    for (const fn of FUNCTION_NAMES.filter((f) => f !== "schedule")) {
      const name = fn.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
      const args = one("sst:aws:Function", name).inputs as {
        handler: string;
        environment: Record<string, unknown>;
        copyFiles: Array<{ to: string }>;
        permissions: Array<{ actions: string[] }>;
      };
      expect(args.handler, fn).toBe(FUNCTIONS[fn].handler);
      expect(Object.keys(args.environment).sort(), fn).toEqual(
        Object.keys(
          environmentOf(fn, {
            table: "",
            machine: () => "",
            facts: { webhookReceivers: [], bedrock: false },
            prefix: "",
          }),
        ).sort(),
      );
      expect(
        args.copyFiles.map((f) => f.to),
        fn,
      ).toContain("kubernaut.config.yaml");
      const needs = FUNCTIONS[fn].files as readonly string[];
      if (needs.includes("classificationPolicy"))
        expect(
          args.copyFiles.map((f) => f.to),
          fn,
        ).toContain("policies/classification.wasm");
      // Nothing in the pipeline deletes: only the API (fingerprint release) and MCP may.
      const deletes = args.permissions.some((p) => p.actions.includes("dynamodb:DeleteItem"));
      expect(deletes, fn).toBe(fn === "api" || fn === "agents");
    }
  });

  it("the remediation machine invokes exactly its task functions, and only those may be invoked by its role", async () => {
    const machine = one("aws:sfn/stateMachine:StateMachine", "Pipeline").inputs;
    const definition = JSON.parse(String(machine.definition)) as ReturnType<typeof buildDefinition>;
    const expected = buildDefinition({ functionArn: (fn) => functionArn(pascal(TASK_FUNCTION_NAMES[fn])) });
    expect(definition).toEqual(expected);
    const policy = JSON.parse(
      String(one("aws:iam/rolePolicy:RolePolicy", "PipelineInvoke").inputs.policy),
    ) as {
      Statement: Array<{ Action: string; Resource: string[] }>;
    };
    expect(policy.Statement).toEqual([
      {
        Effect: "Allow",
        Action: "lambda:InvokeFunction",
        Resource: expect.arrayContaining(
          TASK_FUNCTIONS.map((fn) => functionArn(pascal(TASK_FUNCTION_NAMES[fn]))),
        ),
      },
    ]);
    expect(policy.Statement[0]?.Resource).toHaveLength(TASK_FUNCTIONS.length);
    expect(one("aws:sfn/stateMachine:StateMachine", "Pipeline").inputs.type).toBe("STANDARD");
  });

  it("closed executions of the remediation machine reach the execution-closed function", () => {
    const rule = one("aws:cloudwatch/eventRule:EventRule", "ExecutionClosedRule").inputs;
    expect(JSON.parse(String(rule.eventPattern))).toEqual({
      source: ["aws.states"],
      "detail-type": ["Step Functions Execution Status Change"],
      detail: {
        stateMachineArn: [`arn:aws:mock:${REGION}:${ACCOUNT}:Pipeline`],
        status: ["FAILED", "TIMED_OUT", "ABORTED"],
      },
    });
    expect(one("aws:cloudwatch/eventTarget:EventTarget", "ExecutionClosedTarget").inputs.arn).toBe(
      functionArn("ExecutionClosed"),
    );
  });

  it("one schedule, every minute, runs the schedule function", () => {
    const cron = one("sst:aws:CronV2", "EveryMinute").inputs as {
      schedule: string;
      function: { handler: string };
    };
    expect(cron.schedule).toBe("rate(1 minute)");
    expect(cron.function.handler).toBe(FUNCTIONS.schedule.handler);
    expect(byType("sst:aws:CronV2")).toHaveLength(1);
  });

  it("API Gateway routes exactly the table's routes", () => {
    const routes = byType("aws:apigatewayv2/route:Route").map((r) => String(r.inputs.routeKey));
    expect(routes.sort()).toEqual(HTTP_ROUTES.map(([route]) => route).sort());
  });
});

function pascal(name: string) {
  return name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
}
