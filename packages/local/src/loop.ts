import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { serve } from "@hono/node-server";
import { ClusterAccess, kubeConfigFor, kubeConfigYaml } from "@kubernaut/cluster";
import { ClusterSimulator } from "@kubernaut/cluster/simulator";
import { type Config, configPath, watchedConfig } from "@kubernaut/config";
import { initialLevel, ladderSummary } from "@kubernaut/core";
import { breakerGauge, type SlackStandIn, startSlackStandIn } from "@kubernaut/notify";
import { reconcileAfterRestart } from "@kubernaut/pipeline";
import {
  approvalPolicy,
  approvals,
  assessments,
  breakers,
  classifier,
  effectivenessMonitor,
  localApp,
  outboxSweep,
  pipelineStarter,
  policyFile,
  remediations,
  systemAudit,
  trust,
  catalog as workflowCatalog,
} from "@kubernaut/runtime";
import { startLocalPipeline } from "@kubernaut/runtime/local";
import { createDynamoClient, ensureTable } from "@kubernaut/store";
import { logger, metrics } from "@kubernaut/telemetry";
import { withRegistered } from "@kubernaut/workflows";
import type { KubeConfig } from "@kubernetes/client-node";
import type { StartupReport } from "./banner";
import { type DynamoDbLocal, startDynamoDbLocal } from "./dynamodb-local";
import { ensureOpaFor } from "./opa";
import { localConfigCheck, scenarioFile } from "./paths";
import { type LocalRealCluster, startLocalRealCluster } from "./real-cluster";
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
  /** `real` runs the scenario in a real control plane (`npm start -- --cluster real`); wins over the config. */
  cluster?: "simulator" | "real";
  /** Progress worth telling while starting (building the OPA CLI, building and starting a real cluster). */
  log?: (line: string) => void;
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
    // The paths the config names are checked at start-up (a missing policy fails it, naming the key)
    // and on every reload (refused, the last good config kept, the reason logged).
    const config = watchedConfig(
      loopEnv,
      cwd,
      (error) =>
        logger.error("config change refused; keeping the last good one", {
          reason: (error as Error).message,
        }),
      localConfigCheck(cwd, loopEnv),
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

    // The managed cluster: KUBECONFIG when set, otherwise the configured scenario in the simulator or,
    // asked for, in a real control plane.
    let simulator: ClusterSimulator | undefined;
    let realCluster: LocalRealCluster | undefined;
    let kubeConfig: KubeConfig;
    let cluster: StartupReport["cluster"];
    const scenario = scenarioFile(initial, cwd);
    if ((options.cluster ?? initial.cluster.local) === "real") {
      const started = await startLocalRealCluster({
        scenario: scenario ? readFileSync(scenario, "utf8") : undefined,
        rbacManifestPath: join(cwd, "deploy", "rbac.yaml"),
        dataDir: join(dataDir, "testcluster"),
        log: options.log ?? ((line) => logger.info(line)),
      });
      realCluster = started;
      stops.push(() => started.stop());
      kubeConfig = started.kubeConfig;
      cluster = {
        source: "real",
        server: started.server,
        kubeconfig: started.kubeconfigPath,
        ...(scenario ? { scenario } : {}),
      };
    } else if (env.KUBECONFIG || initial.cluster.kubeconfig) {
      const kubeconfig = resolve(cwd, initial.cluster.kubeconfig ?? (env.KUBECONFIG as string));
      kubeConfig = kubeConfigFor({
        kubeconfig,
        ...(initial.cluster.context ? { context: initial.cluster.context } : {}),
      });
      cluster = {
        source: "kubeconfig",
        server: kubeConfig.getCurrentCluster()?.server ?? "(no current cluster)",
        kubeconfig,
        ...(initial.cluster.context ? { context: initial.cluster.context } : {}),
      };
    } else {
      simulator = new ClusterSimulator();
      if (scenario) simulator.loadScenario(readFileSync(scenario, "utf8"));
      if (options.simulatorBehaviour) simulator.setBehaviour(options.simulatorBehaviour);
      const served = await simulator.listen();
      stops.push(served.close);
      kubeConfig = kubeConfigFor({ server: served.url });
      // So an operator can watch the cluster the product acts on: kubectl --kubeconfig <this> get deploy -A
      mkdirSync(dataDir, { recursive: true });
      const kubeconfig = join(dataDir, "kubeconfig");
      writeFileSync(kubeconfig, kubeConfigYaml(served.url), { mode: 0o600 });
      cluster = { source: "simulator", server: served.url, kubeconfig, ...(scenario ? { scenario } : {}) };
    }
    const clusterAccess = new ClusterAccess(kubeConfig);

    // The one composition root (packages/runtime): the same parts and handlers the Lambdas build.
    const pipeline = await startLocalPipeline({
      config,
      adapters: {
        root: cwd,
        env: { ...loopEnv, KUBERNAUT_CONSOLE_SECRET: secrets.consoleSecret },
        dynamoEndpoint: endpoint,
        region: initial.storage.region,
        // Named clusters (the alert's `cluster` label) come from `clusters`; everything else goes here.
        defaultCluster: clusterAccess,
      },
      ...(options.timeScale ? { timeScale: options.timeScale } : {}),
    });
    stops.push(() => pipeline.close());
    const { rt } = pipeline;
    // The classification policy decides the managed scope: one that cannot load (a typo, another
    // package than signalprocessing.classification or Kubernaut's signalprocessing) stops the start,
    // naming why, instead of every remediation being skipped later.
    const unusable = await classifier(rt).problem();
    if (unusable) throw new Error(`signalProcessing.classificationPolicy: ${unusable}`);
    const store = remediations(rt);
    // A custom .rego needs the OPA CLI before the policies load: built here when Go is present.
    const opa = await ensureOpaFor(
      [policyFile(rt, "approval"), policyFile(rt, "classification")].filter(
        (p): p is string => p !== undefined,
      ),
      options.log,
    );
    // Breaker state lives in DynamoDB; read it at scrape time so /metrics shows the shared truth.
    const uncollect = metrics.collect(async () => {
      for (const breaker of await breakers(rt).all()) {
        metrics.set(
          "kubernaut_notification_channel_circuit_breaker_state",
          "Circuit breaker state per channel: 0 closed, 1 open, 2 half-open",
          { channel: breaker.channel },
          breakerGauge(breaker.state),
        );
      }
    });
    stops.push(async () => uncollect());
    const reconciled = await reconcileAfterRestart(store, (rr) => pipelineStarter(rt).start(rr));

    // The outbox sweep (an EventBridge schedule on AWS): decisions recorded but not delivered go out.
    const sweep = setInterval(() => {
      void outboxSweep(rt)().catch((error: unknown) => logger.warn("outbox sweep failed", { error }));
    }, options.outboxSweepMs ?? 2_000);
    stops.push(async () => clearInterval(sweep));
    // The effectiveness monitor (an EventBridge schedule on AWS): due assessments are scored.
    const monitor = setInterval(() => {
      void effectivenessMonitor(rt)().catch((error: unknown) =>
        logger.warn("effectiveness run failed", { error }),
      );
    }, options.monitorIntervalMs ?? initial.effectivenessMonitor.interval);
    stops.push(async () => clearInterval(monitor));
    const app = localApp(rt);
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
    const file = configPath(loopEnv, cwd);
    const startup: StartupReport = {
      ...(existsSync(file) ? { configFile: file } : {}),
      policies: {
        approval: await approvalPolicy(rt).describe(),
        classification: await classifier(rt).describe(),
      },
      opa,
      cluster,
      trust: await trustInForce(rt, initial),
    };
    return {
      url: `http://127.0.0.1:${boundPort}`,
      startup,
      secrets,
      rt,
      store,
      approvals: approvals(rt),
      pipeline,
      dynamoEndpoint: endpoint,
      reconciled,
      config,
      policy: approvalPolicy(rt),
      systemAudit: systemAudit(rt),
      slackStandIn,
      simulator,
      /** The real control plane (`--cluster real`): its API server and an admin kubeconfig for kubectl. */
      realCluster: realCluster
        ? { server: realCluster.server, kubeconfigPath: realCluster.kubeconfigPath }
        : undefined,
      clusterAccess,
      trust: trust(rt),
      assessments: assessments(rt),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export type LocalLoop = Awaited<ReturnType<typeof startLocalLoop>>;

/** The trust ladder as configured and recorded: global dry-run, each workflow's level, the policy. */
async function trustInForce(rt: Parameters<typeof trust>[0], config: Config) {
  const records = await trust(rt).all();
  const byId = new Map(records.map((r) => [r.workflowId, r]));
  const registerAs = initialLevel(config.remediationOrchestrator);
  const catalog = withRegistered(
    workflowCatalog(rt),
    records.flatMap((r) => (r.definition ? [r.definition] : [])),
  );
  const policy = await approvalPolicy(rt).describe();
  return ladderSummary({
    dryRun: config.remediationOrchestrator.dryRun,
    workflows: catalog.map((w) => ({
      id: w.id,
      level: byId.get(w.id)?.level ?? registerAs,
      namespaces: byId.get(w.id)?.namespaces ?? {},
    })),
    policy: { configured: policy.path !== undefined, usable: policy.hash !== undefined },
  });
}
