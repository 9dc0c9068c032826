import { Classifier } from "@kubernaut/agent";
import { createApp, StepFunctionsDecisionSender, StepFunctionsStarter } from "@kubernaut/api";
import { ClusterAccess, kubeConfigFor } from "@kubernaut/cluster";
import type { Config, ConfigInput } from "@kubernaut/config";
import type { RemediationRequest } from "@kubernaut/core";
import type { ChatModel } from "@kubernaut/llm";
import { type LocalPipelineOptions, startLocalPipeline } from "@kubernaut/pipeline";
import { FilePolicyStore } from "@kubernaut/policy";
import {
  ApprovalStore,
  AssessmentStore,
  LeaseStore,
  SuggestionStore,
  SystemAuditStore,
  TrustStore,
} from "@kubernaut/store";
import { CATALOG } from "@kubernaut/workflows";
import { WebClient } from "@slack/web-api";
import { expect } from "vitest";
import { ADMIN_TOKEN, createTestStore, testConfig, WEBHOOK_TOKEN } from "./store";

/**
 * The whole local loop minus the HTTP listener: DynamoDB Local, the real ASL on the local engine behind
 * its Step Functions endpoint, the real SFN client, and the Hono app. `config` is mutable, as a changed
 * config file would be.
 */
export async function createPipelineHarness(
  input: ConfigInput = {},
  options: Omit<LocalPipelineOptions, "deps" | "db"> & {
    tune?: (config: Config) => void;
    clusterUrl?: string;
    /** The LLM investigator's model (with `aianalysis.llm` configured). */
    model?: ChatModel;
  } = {},
) {
  const config = testConfig(input);
  options.tune?.(config);
  const { store, db } = await createTestStore(config);
  const approvals = new ApprovalStore(db, config.storage.tableName, config.retention.remediationDays);
  const policy = new FilePolicyStore(() => config.aianalysis.rego.policy, 0);
  const leases = new LeaseStore(db, config.storage.tableName);
  const trust = new TrustStore(db, config.storage.tableName);
  // With a simulator, executions act on it over HTTP; without, execute refuses (ExecutorUnavailable).
  const cluster = options.clusterUrl
    ? (() => {
        const access = new ClusterAccess(kubeConfigFor({ server: options.clusterUrl }));
        return { access: () => access };
      })()
    : undefined;
  const deps = {
    config: () => config,
    store,
    approvals,
    catalog: CATALOG,
    policy,
    leases,
    trust,
    assessments: new AssessmentStore(db, config.storage.tableName),
    suggestions: new SuggestionStore(db, config.storage.tableName),
    ...(options.model ? { model: () => options.model } : {}),
    classifier: new Classifier(() => config.signalProcessing.classificationPolicy, 0),
    ...(cluster ? { cluster } : {}),
  };
  const { clusterUrl: _clusterUrl, tune: _tune, model: _model, ...pipelineOptions } = options;
  const pipeline = await startLocalPipeline({ timeScale: 0.01, ...pipelineOptions, deps, db });
  const starter = new StepFunctionsStarter(pipeline.sfn, pipeline.stateMachineArn);
  const systemAudit = new SystemAuditStore(db, config.storage.tableName, config.retention.auditDays);
  // The decision sender can be told to crash, as a process dying right after the decision write would.
  const realSender = new StepFunctionsDecisionSender(pipeline.sfn);
  const faults = { crashNextDelivery: 0 };
  const sender = {
    send: async (approval: Parameters<StepFunctionsDecisionSender["send"]>[0]) => {
      if (faults.crashNextDelivery > 0) {
        faults.crashNextDelivery--;
        throw new Error("process crashed after the decision write");
      }
      return realSender.send(approval);
    },
  };
  const decisions = {
    config: () => config,
    store,
    approvals,
    systemAudit,
    catalog: CATALOG,
    policy,
    sender,
    notifier: pipeline.notifier,
  };
  const slack = new WebClient(config.slack.botToken, {
    slackApiUrl: config.slack.apiUrl,
    retryConfig: { retries: 0 },
  });
  const app = createApp({
    config,
    store,
    starter,
    intake: { intakes: pipeline.intakes, starter: pipeline.intakeStarter },
    approvals: decisions,
    slack: { slack, systemAudit },
    trust: {
      config: () => config,
      store,
      trust,
      systemAudit,
      catalog: CATALOG,
      suggestions: deps.suggestions,
    },
  });

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
    pipeline,
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
