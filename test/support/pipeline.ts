import { StepFunctionsDecisionSender } from "@kubernaut/approvals";
import { ClusterAccess, kubeConfigFor } from "@kubernaut/cluster";
import type { Config, ConfigInput } from "@kubernaut/config";
import type { RemediationRequest } from "@kubernaut/core";
import type { ChatModel } from "@kubernaut/llm";
import {
  approvalPolicy,
  approvals as approvalsOf,
  decisionSender,
  fullApiApp,
  pipelineDeps,
  pipelineStarter,
  remediations,
  stepFunctions,
  systemAudit as systemAuditOf,
} from "@kubernaut/runtime";
import { type LocalPipelineOptions, startLocalPipeline } from "@kubernaut/runtime/local";
import type { KubeConfig } from "@kubernetes/client-node";
import { expect, inject } from "vitest";
import { ADMIN_TOKEN, createTestStore, testConfig, WEBHOOK_TOKEN } from "./store";

/**
 * The whole local loop minus the HTTP listener: DynamoDB Local, the real ASL on the local engine behind
 * its Step Functions endpoint, the real SFN client, and the Hono app. `config` is mutable, as a changed
 * config file would be.
 */
export async function createPipelineHarness(
  input: ConfigInput = {},
  options: Omit<LocalPipelineOptions, "config" | "adapters" | "prepare"> & {
    tune?: (config: Config) => void;
    clusterUrl?: string;
    /**
     * A real cluster for alerts naming no configured cluster, instead of a simulator's URL: the kube
     * suite passes the test control plane with the product's ServiceAccount token.
     */
    kubeConfig?: KubeConfig;
    /** The LLM investigator's model (with `aianalysis.llm` configured). */
    model?: ChatModel;
  } = {},
) {
  const config = testConfig(input);
  options.tune?.(config);
  const { db, client } = await createTestStore(config);
  // With a simulator or a real cluster, executions act on it over HTTP; without, execute refuses
  // (ExecutorUnavailable).
  const defaultCluster = options.kubeConfig
    ? new ClusterAccess(options.kubeConfig)
    : options.clusterUrl
      ? new ClusterAccess(kubeConfigFor({ server: options.clusterUrl }))
      : undefined;
  const adapters = {
    root: process.cwd(),
    env: {},
    dynamoEndpoint: inject("dynamoEndpoint"),
    region: config.storage.region,
    policyReloadMs: 0,
    ...(defaultCluster ? { defaultCluster } : {}),
  };
  // The decision sender can be told to crash, as a process dying right after the decision write would.
  const faults = { crashNextDelivery: 0 };
  const {
    clusterUrl: _clusterUrl,
    kubeConfig: _kubeConfig,
    tune: _tune,
    model: testModel,
    ...pipelineOptions
  } = options;
  const pipeline = await startLocalPipeline({
    timeScale: 0.01,
    ...pipelineOptions,
    config: () => config,
    adapters,
    prepare: (rt) => {
      // The same client the test holds, so its fault injection reaches every store the pipeline uses.
      rt.provide("dynamoClient", client);
      rt.provide("db", db);
      const realSender = new StepFunctionsDecisionSender(stepFunctions(rt));
      rt.provide("decisionSender", {
        send: async (approval: Parameters<StepFunctionsDecisionSender["send"]>[0]) => {
          if (faults.crashNextDelivery > 0) {
            faults.crashNextDelivery--;
            throw new Error("process crashed after the decision write");
          }
          return realSender.send(approval);
        },
      });
      if (testModel) rt.provide("model", () => testModel);
    },
  });
  const { rt } = pipeline;
  /** A new engine on the same table and config, as after a restart of the process (executions are lost). */
  const startEngine = (timeScale = 0.01) =>
    startLocalPipeline({
      config: () => config,
      adapters,
      timeScale,
      prepare: (next) => {
        next.provide("dynamoClient", client);
        next.provide("db", db);
      },
    });
  const store = remediations(rt);
  const approvals = approvalsOf(rt);
  const deps = pipelineDeps(rt);
  const starter = pipelineStarter(rt);
  const systemAudit = systemAuditOf(rt);
  const sender = decisionSender(rt);
  const policy = approvalPolicy(rt);
  const app = fullApiApp(rt);

  const postAlerts = async (body: unknown) => {
    const response = await app.request("/api/v1/signals/prometheus", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${WEBHOOK_TOKEN}` },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { accepted: Array<{ status: string; remediationId: string | null }> })
      .accepted;
  };

  /** Polls the remediation until `done` holds (executions run asynchronously, as on AWS). */
  const waitFor = async (
    id: string,
    done: (rr: RemediationRequest) => boolean,
    timeoutMs = 10_000,
  ): Promise<RemediationRequest> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rr = await store.get(id);
      if (rr && done(rr)) return rr;
      if (Date.now() > deadline) throw new Error(`remediation ${id} stayed ${rr?.phase} for ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  return {
    config,
    store,
    approvals,
    db,
    rt,
    adapters,
    pipeline,
    startEngine,
    starter,
    app,
    postAlerts,
    waitFor,
    deps,
    systemAudit,
    sender,
    faults,
    policy,
  };
}

export type PipelineHarness = Awaited<ReturnType<typeof createPipelineHarness>>;

/** An API call through the harness's Hono app (admin unless a token is given). */
export const apiRequest = (
  h: PipelineHarness,
  method: string,
  path: string,
  body?: unknown,
  token = ADMIN_TOKEN,
) =>
  h.app.request(path, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
