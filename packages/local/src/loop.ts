import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { serve } from "@hono/node-server";
import { a2aRoutes } from "@kubernaut/a2a";
import { Classifier } from "@kubernaut/agent";
import {
  createApp,
  deliverPendingDecisions,
  StepFunctionsDecisionSender,
  StepFunctionsStarter,
} from "@kubernaut/api";
import { ClusterAccess, ClusterDirectory, kubeConfigFor } from "@kubernaut/cluster";
import { ClusterSimulator } from "@kubernaut/cluster/simulator";
import { type Config, watchedConfig } from "@kubernaut/config";
import { consoleSettingsFromEnv, createConsole } from "@kubernaut/console";
import { assessDue, notifyAssessed } from "@kubernaut/effectiveness";
import { createModel } from "@kubernaut/llm";
import { mcpRoutes } from "@kubernaut/mcp";
import { breakerGauge, type SlackStandIn, startSlackStandIn } from "@kubernaut/notify";
import { reconcileAfterRestart, startLocalPipeline } from "@kubernaut/pipeline";
import { FilePolicyStore, sourcePath } from "@kubernaut/policy";
import {
  ApprovalStore,
  AssessmentStore,
  createDynamoClient,
  documentClient,
  ensureTable,
  LeaseStore,
  RemediationStore,
  SuggestionStore,
  SystemAuditStore,
  TrustStore,
} from "@kubernaut/store";
import { logger, metrics } from "@kubernaut/telemetry";
import { CATALOG } from "@kubernaut/workflows";
import type { KubeConfig } from "@kubernetes/client-node";
import { WebClient } from "@slack/web-api";
import { type DynamoDbLocal, startDynamoDbLocal } from "./dynamodb-local";
import { localSecrets } from "./secrets";

export interface LocalLoopOptions {
  /** Where DynamoDB Local keeps its data and the generated tokens live (default .kubernaut/). */
  dataDir?: string;
  /** Use this DynamoDB endpoint instead of starting DynamoDB Local (tests). */
  dynamoEndpoint?: string;
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  port?: number;
  timeScale?: number;
  /** How often the approval outbox is swept (default 2 s). */
  outboxSweepMs?: number;
  /** How often the effectiveness monitor runs (default: effectivenessMonitor.interval). */
  monitorIntervalMs?: number;
  /** Overrides the simulator scenario's behaviour (tests: e.g. readyAfterMs 0). */
  simulatorBehaviour?: unknown;
}

/**
 * The whole product on one machine (DESIGN §7): DynamoDB Local on disk, the pipeline's ASL on the local
 * engine behind a Step Functions endpoint, and every HTTP route group on one loopback server. The code
 * that runs is the code the Lambdas run; only endpoints differ.
 */
export async function startLocalLoop(options: LocalLoopOptions = {}) {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const dataDir = options.dataDir ?? join(cwd, ".kubernaut");
  const secrets = localSecrets(join(dataDir, "local-secrets.json"), env);
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of stops.splice(0).reverse()) await fn().catch(() => undefined);
  };
  try {
    // Without a Slack token, Slack notifications go to a loopback stand-in that records them.
    let slackStandIn: SlackStandIn | undefined;
    if (!env.SLACK_BOT_TOKEN && !env.SLACK_API_URL) {
      slackStandIn = await startSlackStandIn();
      stops.push(() => (slackStandIn as SlackStandIn).close());
    }
    const loopEnv = {
      ...env,
      KUBERNAUT_WEBHOOK_TOKEN: secrets.webhookToken,
      KUBERNAUT_ADMIN_TOKEN: secrets.adminToken,
      ...(slackStandIn ? { SLACK_API_URL: slackStandIn.apiUrl } : {}),
    };
    const config = watchedConfig(loopEnv, cwd, (error) =>
      logger.error("config change refused; keeping the last good one", { error }),
    );
    const initial: Config = config();
    let dynamo: DynamoDbLocal | undefined;
    if (!options.dynamoEndpoint) {
      dynamo = await startDynamoDbLocal({ path: join(dataDir, "dynamodb") });
      stops.push(() => (dynamo as DynamoDbLocal).stop());
    }
    const endpoint = options.dynamoEndpoint ?? (dynamo as DynamoDbLocal).endpoint;
    const client = createDynamoClient({ region: initial.storage.region, endpoint });
    await ensureTable(client, initial.storage.tableName);
    const db = documentClient(client);
    const store = new RemediationStore(db, {
      tableName: initial.storage.tableName,
      remediationRetentionDays: initial.retention.remediationDays,
      auditRetentionDays: initial.retention.auditDays,
    });
    const approvals = new ApprovalStore(db, initial.storage.tableName, initial.retention.remediationDays);

    // The managed cluster: KUBECONFIG when set, otherwise the simulator running the configured scenario.
    let simulator: ClusterSimulator | undefined;
    let kubeConfig: KubeConfig;
    if (env.KUBECONFIG || initial.cluster.kubeconfig) {
      kubeConfig = kubeConfigFor({
        kubeconfig: resolve(cwd, initial.cluster.kubeconfig ?? (env.KUBECONFIG as string)),
        ...(initial.cluster.context ? { context: initial.cluster.context } : {}),
      });
    } else {
      simulator = new ClusterSimulator();
      const scenario = resolve(cwd, initial.cluster.scenario);
      if (existsSync(scenario)) simulator.loadScenario(readFileSync(scenario, "utf8"));
      if (options.simulatorBehaviour) simulator.setBehaviour(options.simulatorBehaviour);
      const served = await simulator.listen();
      stops.push(served.close);
      kubeConfig = kubeConfigFor({ server: served.url });
    }
    const clusterAccess = new ClusterAccess(kubeConfig);
    // Named clusters (the alert's `cluster` label) come from `clusters`; everything else goes here.
    const cluster = new ClusterDirectory(config, clusterAccess);

    const trust = new TrustStore(db, initial.storage.tableName);
    const assessments = new AssessmentStore(db, initial.storage.tableName);
    const suggestions = new SuggestionStore(db, initial.storage.tableName);
    // The approval policy file, relative to the working directory; re-read when it changes.
    const policy = new FilePolicyStore(() => {
      const path = config().aianalysis.rego.policy;
      return path ? resolve(cwd, path) : undefined;
    });
    const pipeline = await startLocalPipeline({
      deps: {
        config,
        store,
        approvals,
        catalog: CATALOG,
        policy,
        leases: new LeaseStore(db, initial.storage.tableName),
        trust,
        assessments,
        suggestions,
        model: (phase) => {
          const llm = config().aianalysis.llm;
          return llm ? createModel(llm, loopEnv, phase) : undefined;
        },
        classifier: new Classifier(() => {
          // The default names the shipped policy relative to the repository; outside it, use the package's copy.
          const configured = resolve(cwd, config().signalProcessing.classificationPolicy);
          return existsSync(configured) ? configured : sourcePath("classification");
        }),
        cluster,
      },
      db,
      env: loopEnv,
      ...(options.timeScale ? { timeScale: options.timeScale } : {}),
    });
    stops.push(() => pipeline.close());
    const starter = new StepFunctionsStarter(pipeline.sfn, pipeline.stateMachineArn);
    // Breaker state lives in DynamoDB; read it at scrape time so /metrics shows the shared truth.
    const uncollect = metrics.collect(async () => {
      for (const breaker of await pipeline.breakers.all()) {
        metrics.set(
          "kubernaut_notification_channel_circuit_breaker_state",
          "Circuit breaker state per channel: 0 closed, 1 open, 2 half-open",
          { channel: breaker.channel },
          breakerGauge(breaker.state),
        );
      }
    });
    stops.push(async () => uncollect());
    const reconciled = await reconcileAfterRestart(store, (rr) => starter.start(rr));

    const systemAudit = new SystemAuditStore(db, initial.storage.tableName, initial.retention.auditDays);
    const sender = new StepFunctionsDecisionSender(pipeline.sfn);
    const decisions = {
      config,
      store,
      approvals,
      systemAudit,
      catalog: CATALOG,
      policy,
      sender,
      notifier: pipeline.notifier,
    };
    // The outbox sweep (an EventBridge schedule on AWS): decisions recorded but not delivered go out.
    const sweep = setInterval(() => {
      void deliverPendingDecisions({ store, approvals, sender }).catch((error: unknown) =>
        logger.warn("outbox sweep failed", { error }),
      );
    }, options.outboxSweepMs ?? 2_000);
    stops.push(async () => clearInterval(sweep));
    // The effectiveness monitor (an EventBridge schedule on AWS): due assessments are scored.
    const monitor = setInterval(() => {
      void assessDue({
        config,
        store,
        assessments,
        trust,
        cluster,
        notify: (id) => notifyAssessed(store, pipeline.notifier, id),
      }).catch((error: unknown) => logger.warn("effectiveness run failed", { error }));
    }, options.monitorIntervalMs ?? initial.effectivenessMonitor.interval);
    stops.push(async () => clearInterval(monitor));
    const slack = new WebClient(initial.slack.botToken, {
      slackApiUrl: initial.slack.apiUrl,
      retryConfig: { retries: 0 },
    });
    const app = createApp({
      config: initial,
      store,
      starter,
      intake: { intakes: pipeline.intakes, starter: pipeline.intakeStarter },
      approvals: decisions,
      slack: { slack, systemAudit },
      trust: { config, store, trust, systemAudit, catalog: CATALOG, suggestions },
    });
    // MCP for assistants: its tools call this same app with the caller's token.
    app.route(
      "/",
      mcpRoutes((request) => app.fetch(request), initial.auth.apiTokens),
    );
    // A2A for other agents: messages become signals on the same ingest path; tasks live in DynamoDB.
    app.route(
      "/",
      a2aRoutes(
        {
          config: initial,
          store,
          starter,
          db,
          intake: { intakes: pipeline.intakes, starter: pipeline.intakeStarter },
        },
        initial.auth.apiTokens,
      ),
    );
    // The console (its own function on AWS): pages under /console that decide through the same code.
    app.route(
      "/",
      createConsole({
        decisions,
        trust,
        settings: consoleSettingsFromEnv({ ...loopEnv, KUBERNAUT_CONSOLE_SECRET: secrets.consoleSecret }),
      }),
    );
    const port = options.port ?? initial.server.port;
    const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, () => resolve(s));
      s.once("error", reject);
    });
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
        }),
    );
    const address = server.address();
    const boundPort = typeof address === "object" && address ? address.port : port;
    return {
      url: `http://127.0.0.1:${boundPort}`,
      secrets,
      store,
      approvals,
      pipeline,
      dynamoEndpoint: endpoint,
      reconciled,
      config,
      policy,
      systemAudit,
      slackStandIn,
      simulator,
      clusterAccess,
      trust,
      assessments,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export type LocalLoop = Awaited<ReturnType<typeof startLocalLoop>>;
