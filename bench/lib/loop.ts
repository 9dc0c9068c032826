import { ClusterAccess, kubeConfigFor } from "@kubernaut/cluster";
import { type Config, type ConfigInput, parseConfig } from "@kubernaut/config";
import type { RemediationRequest } from "@kubernaut/core";
import type { TaskFunction, TaskHandler } from "@kubernaut/pipeline";
import { sourcePath } from "@kubernaut/policy";
import {
  approvalsApp,
  approvals as approvalsOf,
  assessments as assessmentsOf,
  ingestApp,
  remediations,
  trust as trustOf,
} from "@kubernaut/runtime";
import { startLocalPipeline } from "@kubernaut/runtime/local";
import type { Hono } from "hono";
import { freshTable, meterCapacity, uniqueTableName } from "./dynamo";
import { elapsedMs } from "./stats";

export const WEBHOOK_TOKEN = "bench-webhook-token-0123456789";
export const ADMIN_TOKEN = "bench-admin-token-0123456789";

/** A valid config on its own table; `input` overrides any key, as kubernaut.config.yaml would. */
export function benchConfig(input: ConfigInput, tablePrefix: string): Config {
  return parseConfig(
    {
      ...input,
      storage: { tableName: uniqueTableName(tablePrefix), ...input.storage },
      signalProcessing: { classificationPolicy: sourcePath("classification"), ...input.signalProcessing },
      auth: { webhookToken: WEBHOOK_TOKEN, apiTokens: [] },
    },
    { KUBERNAUT_ADMIN_TOKEN: ADMIN_TOKEN },
    "bench",
  );
}

/** One task invocation as a Lambda would bill it: which function, for which remediation, how long. */
export interface TaskRun {
  fn: TaskFunction;
  remediationId: string;
  ms: number;
  ok: boolean;
  /** hrtime when the handler returned. */
  endedAt: bigint;
}

/**
 * Times every task handler the engine calls (the code each task Lambda runs) and lets a benchmark
 * wait for a given task of a given remediation, which is more precise than polling the table.
 */
export class TaskClock {
  readonly runs: TaskRun[] = [];
  private readonly waiters: Array<{ fn: TaskFunction; id: string; resolve: (at: bigint) => void }> = [];

  wrap = (handlers: Record<TaskFunction, TaskHandler>): Record<TaskFunction, TaskHandler> =>
    Object.fromEntries(
      Object.entries(handlers).map(([fn, handler]) => [
        fn,
        async (payload: unknown) => {
          const id = String((payload as { remediationId?: unknown } | null)?.remediationId ?? "");
          const start = process.hrtime.bigint();
          let ok = false;
          try {
            const result = await handler(payload);
            ok = true;
            return result;
          } finally {
            const end = process.hrtime.bigint();
            this.runs.push({
              fn: fn as TaskFunction,
              remediationId: id,
              ms: elapsedMs(start),
              ok,
              endedAt: end,
            });
            for (const waiter of this.waiters.filter((w) => w.fn === fn && w.id === id)) {
              this.waiters.splice(this.waiters.indexOf(waiter), 1);
              waiter.resolve(end);
            }
          }
        },
      ]),
    ) as Record<TaskFunction, TaskHandler>;

  /** Resolves with the hrtime at which `fn` returned for remediation `id`. */
  finished(fn: TaskFunction, id: string, timeoutMs = 30_000): Promise<bigint> {
    const done = this.runs.find((r) => r.fn === fn && r.remediationId === id);
    if (done) return Promise.resolve(done.endedAt);
    return new Promise<bigint>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`task ${fn} of ${id} did not finish in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        fn,
        id,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      });
    });
  }
}

export interface BenchLoopOptions {
  endpoint: string;
  config: ConfigInput;
  tablePrefix: string;
  /** The cluster simulator's URL; without one, execution refuses and analysis falls back to rules by name. */
  clusterUrl?: string;
  timeScale?: number;
  rolloutPollSeconds?: number;
}

/**
 * The local loop as the Lambdas would run it, assembled like test/support/pipeline.ts (which needs
 * vitest's `inject`): the real ASL on the local engine behind the Step Functions endpoint, the task
 * handlers in-process, the ingest and approvals apps exactly as their functions build them, one
 * DynamoDB client whose calls and request units are counted.
 */
export async function startBenchLoop(options: BenchLoopOptions) {
  const config = benchConfig(options.config, options.tablePrefix);
  const { client, db } = await freshTable(options.endpoint, config.storage.tableName);
  const capacity = meterCapacity(client);
  const access = options.clusterUrl
    ? new ClusterAccess(kubeConfigFor({ server: options.clusterUrl }))
    : undefined;
  const clock = new TaskClock();
  // The runtime every process uses (packages/runtime), as the Lambdas build it: policy files re-checked
  // once a minute, the one metered DynamoDB client.
  const pipeline = await startLocalPipeline({
    config: () => config,
    adapters: {
      root: process.cwd(),
      env: {},
      region: config.storage.region,
      policyReloadMs: 60_000,
      ...(access ? { defaultCluster: access } : {}),
    },
    prepare: (rt) => {
      rt.provide("dynamoClient", client);
      rt.provide("db", db);
    },
    timeScale: options.timeScale ?? 1,
    ...(options.rolloutPollSeconds ? { rolloutPollSeconds: options.rolloutPollSeconds } : {}),
    wrapHandlers: clock.wrap,
  });
  const { rt } = pipeline;
  const store = remediations(rt);
  const approvals = approvalsOf(rt);
  const trust = trustOf(rt);
  const assessments = assessmentsOf(rt);
  const ingest = ingestApp(rt);
  const approvalsHttp = approvalsApp(rt);

  /** Polls the remediation until `done` holds (for phases no task marks, e.g. AwaitingApproval). */
  const waitFor = async (
    id: string,
    done: (rr: RemediationRequest) => boolean,
    timeoutMs = 30_000,
  ): Promise<RemediationRequest> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rr = await store.get(id);
      if (rr && done(rr)) return rr;
      if (Date.now() > deadline) throw new Error(`remediation ${id} stayed ${rr?.phase} for ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  return {
    config,
    client,
    db,
    capacity,
    store,
    approvals,
    assessments,
    trust,
    access,
    pipeline,
    clock,
    rt,
    ingestApp: ingest,
    approvalsApp: approvalsHttp,
    waitFor,
    close: () => pipeline.close(),
  };
}

export type BenchLoop = Awaited<ReturnType<typeof startBenchLoop>>;

/** A POST through an app, as API Gateway would hand it to the function; the status and the JSON body. */
export async function post(
  app: Hono,
  path: string,
  body: unknown,
  token: string,
): Promise<{ status: number; json: unknown }> {
  const response = await app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}
