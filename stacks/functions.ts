import { loadConfig } from "@kubernaut/config";
import { functionFiles } from "@kubernaut/runtime/files";
import {
  deploymentFacts,
  environmentOf,
  FUNCTIONS,
  type FunctionName,
  type FunctionSpec,
  type Machine,
  permissionsOf,
} from "@kubernaut/runtime/functions";
import type { Secrets } from "./secrets";
import type { Storage } from "./storage";

const pascal = (name: string) => name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());

/** Resource names stay what they were before the table existed (TaskEnrich, NotifyDeliver, Ingest …). */
export const resourceName = (fn: FunctionName) => pascal(fn);

export interface FunctionContext {
  storage: Storage;
  secrets: Secrets;
  /** ARNs of the machines created so far; a function that starts one not yet created is a deploy error. */
  machines: Partial<Record<Machine, $util.Input<string>>>;
}

/**
 * A function's SST arguments, all from its entry in packages/runtime/src/functions.ts: handler, memory,
 * timeout, environment, the files it carries and its least-privilege IAM policy. The runtime reads the
 * same table, and the AWS-entries suite checks every call against the policy built here.
 */
export async function functionArgs(fn: FunctionName, context: FunctionContext) {
  const aws = await import("@pulumi/aws");
  const identity = aws.getCallerIdentityOutput();
  const region = aws.getRegionOutput();
  const spec: FunctionSpec = FUNCTIONS[fn];
  const configFile = process.env.KUBERNAUT_CONFIG ?? "kubernaut.config.yaml";
  // Reading the config here also refuses to deploy an invalid one.
  const config = loadConfig(process.env);
  const facts = deploymentFacts(config);
  const table = context.storage.table;
  const machine = (m: Machine): $util.Input<string> => {
    const arn = context.machines[m];
    if (arn === undefined) throw new Error(`function ${fn} starts the ${m} machine, which is created later`);
    return arn;
  };
  const refs = { table: table.name, machine, facts, prefix: context.secrets.prefix };
  return {
    runtime: "nodejs22.x" as const,
    architecture: "arm64" as const,
    handler: spec.handler,
    description: spec.description,
    memory: spec.memory,
    timeout: spec.timeout,
    copyFiles: await functionFiles(fn, config, {
      root: process.cwd(),
      configFile,
      buildDir: `.sst/kubernaut/${fn}`,
    }),
    environment: environmentOf<$util.Input<string>>(fn, refs),
    permissions: permissionsOf<$util.Input<string>>(fn, {
      ...refs,
      table: table.arn,
      tableIndexes: $interpolate`${table.arn}/index/*`,
      parameter: (name) => $interpolate`arn:aws:ssm:${region.name}:${identity.accountId}:parameter${name}`,
    }),
  };
}

/** The function itself, named as before. */
export async function lambdaFunction(fn: FunctionName, context: FunctionContext) {
  return new sst.aws.Function(resourceName(fn), await functionArgs(fn, context));
}
