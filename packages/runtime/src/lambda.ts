import { SSMProvider } from "@aws-lambda-powertools/parameters/ssm";
import { SSMClient } from "@aws-sdk/client-ssm";
import { loadConfig } from "@kubernaut/config";
import { forwardMetricsToCloudWatch } from "@kubernaut/telemetry";
import {
  COMMON_ENV,
  declaredVariables,
  deploymentFacts,
  FUNCTIONS,
  type FunctionName,
  type FunctionSpec,
  MACHINE_ENV,
  MACHINES,
  SECRETS,
} from "./functions";
import { type AwsClientHook, createRuntime, type Runtime } from "./runtime";

type Env = Readonly<Record<string, string | undefined>>;

/** A function started without a variable its table entry declares (a stack and the table disagree). */
export class MissingEnvironmentError extends Error {
  constructor(fn: FunctionName, missing: readonly string[]) {
    super(
      `function ${fn} cannot start: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not set ` +
        "(its stack sets them from packages/runtime/src/functions.ts)",
    );
    this.name = "MissingEnvironmentError";
  }
}

/**
 * Process-wide instrumentation of the Lambda runtimes: the AWS-entries suite records every AWS call a
 * function makes (the IAM check). Nothing sets it on AWS.
 */
export const lambdaInstrumentation: { awsClientHook?: (fn: FunctionName) => AwsClientHook } = {};

/** The variables a function needs whatever its config says: the common ones, its machines, its secrets. */
function requiredVariables(fn: FunctionName): string[] {
  const spec: FunctionSpec = FUNCTIONS[fn];
  return [
    ...COMMON_ENV,
    ...spec.starts.map((m) => MACHINE_ENV[m]),
    ...spec.secrets.map((s) => `${SECRETS[s].variable}_PARAM`),
  ];
}

const pick = (env: Env, names: Iterable<string>): Record<string, string> =>
  Object.fromEntries([...names].flatMap((name) => (env[name] ? [[name, env[name] as string]] : [])));

/**
 * Reads each `<VARIABLE>_PARAM` SecureString into `<VARIABLE>` (the local loop sets the variables
 * directly, so the config has one code path). Powertools caches values for `maxAgeSeconds`, so a
 * rotated secret is picked up without a deploy. An optional secret nobody created (no Slack, say) is
 * absent; anything else (no permission, throttling) fails the start, loudly.
 */
async function resolveSecrets(
  env: Env,
  ssm: SSMProvider,
  maxAgeSeconds = 300,
): Promise<Record<string, string>> {
  const resolved: Record<string, string> = pick(env, Object.keys(env));
  await Promise.all(
    Object.keys(env)
      .filter((key) => key.endsWith("_PARAM") && env[key])
      .map(async (key) => {
        let value: string | undefined;
        try {
          value = await ssm.get(env[key] as string, { decrypt: true, maxAge: maxAgeSeconds });
        } catch (error) {
          const name = (error as Error).name;
          const cause = (error as { cause?: Error }).cause?.name;
          if (name === "ParameterNotFound" || cause === "ParameterNotFound") return;
          throw error;
        }
        if (value !== undefined && value !== "") resolved[key.slice(0, -"_PARAM".length)] = value;
      }),
  );
  return resolved;
}

/**
 * The runtime of one Lambda function, built once per container: the environment its table entry
 * declares (a missing variable stops the start and is named; an undeclared one is not visible to the
 * code), secrets from SSM, the config file shipped beside the code, the function's region, and the
 * compiled policies at their shipped paths. Metrics go to CloudWatch as EMF.
 */
export async function lambdaRuntime(fn: FunctionName, env: Env = process.env): Promise<Runtime> {
  const missing = requiredVariables(fn).filter((name) => !env[name]);
  if (missing.length > 0) throw new MissingEnvironmentError(fn, missing);
  const root = env.LAMBDA_TASK_ROOT ?? process.cwd();
  const hook = lambdaInstrumentation.awsClientHook?.(fn);
  // The config file decides which optional secrets exist (the LLM key, webhook receivers' secrets).
  const facts = deploymentFacts(loadConfig(pick(env, COMMON_ENV), root));
  const declared = pick(env, declaredVariables(fn, facts));
  const ssmClient = new SSMClient({ ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}) });
  hook?.(ssmClient);
  const resolved = await resolveSecrets(declared, new SSMProvider({ awsSdkV3Client: ssmClient }));
  const config = loadConfig(resolved, root);
  if (env.AWS_LAMBDA_FUNCTION_NAME) forwardMetricsToCloudWatch("Kubernaut", `kubernaut-${fn}`);
  return createRuntime(() => config, {
    root,
    env: resolved,
    ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
    machines: Object.fromEntries(
      MACHINES.flatMap((m) => (resolved[MACHINE_ENV[m]] ? [[m, resolved[MACHINE_ENV[m]]]] : [])),
    ),
    shippedPolicies: true,
    // The policy ships with the function: it changes only with a deploy, so look rarely.
    policyReloadMs: 60_000,
    ...(hook ? { awsClientHook: hook } : {}),
  });
}

/**
 * A Lambda entry: the runtime of `fn` and the handler built from it, once per container.
 *
 * @example export const handler = await lambda("task-execute", (rt) => pipelineTasks(rt).execute);
 */
export async function lambda<H>(fn: FunctionName, build: (rt: Runtime) => H): Promise<H> {
  return build(await lambdaRuntime(fn));
}
