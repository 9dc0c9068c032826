import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SFNClient } from "@aws-sdk/client-sfn";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { ClusterAccess } from "@kubernaut/cluster";
import type { Config } from "@kubernaut/config";
import type { Machine } from "./functions";

type Env = Readonly<Record<string, string | undefined>>;

/** A hook on every AWS SDK client the runtime builds (the AWS-entries suite records calls with it). */
export type AwsClientHook = (client: DynamoDBClient | SFNClient | SSMClient) => void;

/**
 * Where a process runs, as far as wiring is concerned. Everything else — which store, which notifier,
 * which handlers — follows from the config and is built the same way in every process.
 */
export interface RuntimeAdapters {
  /** Where relative paths of the config resolve: the working directory locally, the task root on Lambda. */
  root: string;
  /** Variables secrets come from (on Lambda already read from SSM). Nothing else reads process.env. */
  env: Env;
  /** DynamoDB Local's endpoint; absent on AWS, where the SDK finds the function's regional endpoint. */
  dynamoEndpoint?: string;
  /** The region of the table: the function's AWS_REGION on Lambda, `storage.region` locally. */
  region?: string;
  /** The Step Functions endpoint (the local engine's); absent on AWS. */
  stepFunctionsEndpoint?: string;
  /** ARNs of the state machines this process may start. */
  machines: Partial<Record<Machine, string>>;
  /** The cluster for alerts naming no configured cluster (the simulator or test cluster locally). */
  defaultCluster?: ClusterAccess;
  /** How often policy files are re-checked for changes (ms); 0 re-reads on every evaluation (tests). */
  policyReloadMs?: number;
  /** On Lambda the compiled policies ship at fixed paths (files.ts) instead of the configured sources. */
  shippedPolicies?: boolean;
  /** Applied to every AWS client built here. */
  awsClientHook?: AwsClientHook;
  now?: () => Date;
}

/**
 * The composition root's context: the config (a getter, so a changed file applies without a restart),
 * the adapters, and one instance of each part, built on first use. Parts are free functions of the
 * runtime (see components.ts), so a Lambda entry that imports only what its handler calls bundles and
 * builds only that.
 */
export interface Runtime {
  readonly config: () => Config;
  readonly adapters: RuntimeAdapters;
  /** The part named `key`, built by `build` the first time and shared afterwards. */
  part<T>(key: string, build: () => T): T;
  /** Puts a part in place before anything builds it (tests: a sender that crashes on demand). */
  provide<T>(key: string, value: T): void;
}

export function createRuntime(config: () => Config, adapters: RuntimeAdapters): Runtime {
  const parts = new Map<string, unknown>();
  return {
    config,
    adapters,
    part<T>(key: string, build: () => T): T {
      if (!parts.has(key)) parts.set(key, build());
      return parts.get(key) as T;
    },
    provide<T>(key: string, value: T): void {
      if (parts.has(key)) throw new Error(`runtime part ${key} was built before it was provided`);
      parts.set(key, value);
    },
  };
}

/** A machine's ARN, or an error naming the variable that should have carried it. */
export function machineArn(rt: Runtime, machine: Machine): string {
  const arn = rt.adapters.machines[machine];
  if (!arn)
    throw new Error(
      `no ARN for the ${machine} state machine in this process (its function does not start it)`,
    );
  return arn;
}
