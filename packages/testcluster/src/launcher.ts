import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { stringify } from "yaml";
import { z } from "zod";
import { requireTestClusterBinary } from "./binary";
import { FakeKubelet } from "./kubelet";
import { Component, freePort, waitFor } from "./processes";
import { type ApplyScenarioOptions, applyScenario } from "./scenario";

/**
 * The controllers kube-controller-manager runs: the workload controllers the product acts through,
 * node lifecycle (NotReady taints, evictions), garbage collection (ReplicaSets and pods of a deleted
 * Deployment), disruption (PDB status, which the eviction API enforces), namespace deletion, and what
 * ServiceAccount tokens need. No HPA controller: there is no metrics API, so an HPA keeps the replicas
 * a test sets. ReplicationControllers stand for a controller the product does not follow up the owner
 * chain (as it does not an operator's custom resource): their pods stay Pod targets.
 */
export const CONTROLLERS = [
  "deployment-controller",
  "replicaset-controller",
  "replicationcontroller-controller",
  "statefulset-controller",
  "daemonset-controller",
  "job-controller",
  "cronjob-controller",
  "ttl-after-finished-controller",
  "node-lifecycle-controller",
  "taint-eviction-controller",
  "pod-garbage-collector-controller",
  "garbage-collector-controller",
  "disruption-controller",
  "namespace-controller",
  "serviceaccount-controller",
  "serviceaccount-token-controller",
  "root-ca-certificate-publisher-controller",
  "clusterrole-aggregation-controller",
] as const;

/** ServiceAccounts in this namespace are audited (see {@link TestCluster.auditLogPath}). */
export const AUDITED_NAMESPACE = "kubernaut";

export interface StartTestClusterOptions {
  /** Kept across runs when given (etcd data, certificates, tokens); a temporary directory otherwise. */
  dataDir?: string;
  /** A scenario (`scenarios/*.yaml` text) to apply once the cluster is ready. */
  scenario?: string;
  scenarioOptions?: ApplyScenarioOptions;
  /** The testcluster binary; defaults to `TESTCLUSTER_BIN` or the cached build (see binary.ts). */
  binary?: string;
  log?: (line: string) => void;
}

export interface TestCluster {
  /** An admin (system:masters) kubeconfig file for kubectl or client-node. */
  kubeconfigPath: string;
  /** kube-apiserver's URL. */
  server: string;
  kubeConfig: KubeConfig;
  /** PEM of the cluster CA, for clients built with other credentials (e.g. a ServiceAccount token). */
  caData: string;
  dataDir: string;
  /**
   * kube-apiserver's audit log (JSON lines): every request made by a ServiceAccount of the
   * `kubernaut` namespace, so a test can see exactly which verbs the product used.
   */
  auditLogPath: string;
  applyScenario(yamlText: string, options?: ApplyScenarioOptions): Promise<void>;
  /** Stops every process (and removes the data directory when it was temporary). */
  stop(): Promise<void>;
}

const Tokens = z.object({
  admin: z.string(),
  controllerManager: z.string(),
  scheduler: z.string(),
  kubelet: z.string(),
});
type Tokens = z.infer<typeof Tokens>;

/**
 * Starts a real control plane on loopback: embedded etcd, kube-apiserver (token and client-certificate
 * authentication, RBAC authorization, the default admission plugins), kube-controller-manager (see
 * {@link CONTROLLERS}), kube-scheduler, and a fake kubelet in this process (see kubelet.ts). Resolves
 * once the API is ready and the controllers have done their first work (the `default` ServiceAccount
 * exists), with an admin kubeconfig written to `<dataDir>/admin.kubeconfig`.
 *
 * @example
 * const cluster = await startTestCluster({ scenario: readFileSync("scenarios/demo.yaml", "utf8") });
 * // KUBECONFIG=cluster.kubeconfigPath kubectl get pods -A
 * await cluster.stop();
 */
export async function startTestCluster(options: StartTestClusterOptions = {}): Promise<TestCluster> {
  const log = options.log ?? (() => undefined);
  const binary = options.binary ?? requireTestClusterBinary();
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "kubernaut-testcluster-"));
  mkdirSync(join(dataDir, "logs"), { recursive: true });
  const pki = join(dataDir, "pki");
  const components: Component[] = [];
  let kubelet: FakeKubelet | undefined;

  const stop = async () => {
    await kubelet?.stop();
    // Clients first, etcd last, so nothing logs a storm of connection errors on the way down.
    for (const component of [...components].reverse()) await component.stop();
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const started = Date.now();
    try {
      execFileSync(binary, ["pki", "--dir", pki], { stdio: ["ignore", "ignore", "pipe"] });
    } catch (error) {
      throw new Error(
        `writing the cluster's certificates into ${pki} failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}`,
      );
    }
    const caData = readFileSync(join(pki, "ca.crt"), "utf8");
    const tokens = loadTokens(dataDir);

    const [etcdPort, etcdPeerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcd = new Component(
      "etcd",
      binary,
      [
        `--data-dir=${join(dataDir, "etcd")}`,
        `--listen-client-url=http://127.0.0.1:${etcdPort}`,
        `--listen-peer-url=http://127.0.0.1:${etcdPeerPort}`,
      ],
      join(dataDir, "logs", "etcd.log"),
    );
    components.push(etcd);
    await waitFor("etcd /health", async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok, {
      timeoutMs: 60_000,
      component: etcd,
    });
    log(`etcd ready (${Date.now() - started} ms)`);

    const auditLogPath = join(dataDir, "logs", "audit.log");
    writeFileSync(join(dataDir, "audit-policy.yaml"), stringify(auditPolicy()));
    const server = `https://127.0.0.1:${apiPort}`;
    const apiserver = new Component(
      "kube-apiserver",
      binary,
      [
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        `--secure-port=${apiPort}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        // The `kubernetes` Service's endpoints may not point at loopback; nothing in the tests uses them.
        "--endpoint-reconciler-type=none",
        `--tls-cert-file=${join(pki, "apiserver.crt")}`,
        `--tls-private-key-file=${join(pki, "apiserver.key")}`,
        `--client-ca-file=${join(pki, "ca.crt")}`,
        `--token-auth-file=${join(dataDir, "tokens.csv")}`,
        "--authorization-mode=RBAC",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        `--service-account-key-file=${join(pki, "sa.pub")}`,
        `--service-account-signing-key-file=${join(pki, "sa.key")}`,
        "--service-cluster-ip-range=10.96.0.0/16",
        // pods/log is proxied to the fake kubelet: it listens on 127.0.0.1, the nodes' InternalIP.
        "--kubelet-preferred-address-types=InternalIP",
        `--kubelet-certificate-authority=${join(pki, "ca.crt")}`,
        `--kubelet-client-certificate=${join(pki, "apiserver-kubelet-client.crt")}`,
        `--kubelet-client-key=${join(pki, "apiserver-kubelet-client.key")}`,
        `--audit-policy-file=${join(dataDir, "audit-policy.yaml")}`,
        `--audit-log-path=${auditLogPath}`,
        "--profiling=false",
      ],
      join(dataDir, "logs", "kube-apiserver.log"),
    );
    components.push(apiserver);
    await waitFor(
      "kube-apiserver /readyz",
      async () => (await httpsGet(`${server}/readyz`, caData, tokens.admin)) === 200,
      {
        timeoutMs: 180_000,
        component: apiserver,
        intervalMs: 500,
      },
    );
    log(`kube-apiserver ready on ${server} (${Date.now() - started} ms)`);

    const kubeconfigPath = join(dataDir, "admin.kubeconfig");
    writeFileSync(kubeconfigPath, kubeconfigYaml(server, caData, "admin", tokens.admin), { mode: 0o600 });
    const controllerManagerConfig = join(dataDir, "controller-manager.kubeconfig");
    writeFileSync(
      controllerManagerConfig,
      kubeconfigYaml(server, caData, "system:kube-controller-manager", tokens.controllerManager),
      { mode: 0o600 },
    );
    const schedulerConfig = join(dataDir, "scheduler.kubeconfig");
    writeFileSync(
      schedulerConfig,
      kubeconfigYaml(server, caData, "system:kube-scheduler", tokens.scheduler),
      {
        mode: 0o600,
      },
    );

    components.push(
      new Component(
        "kube-controller-manager",
        binary,
        [
          `--kubeconfig=${controllerManagerConfig}`,
          // Each controller acts as its own ServiceAccount, as kubeadm sets it up, so RBAC is exercised
          // the way it is in a real cluster.
          "--use-service-account-credentials=true",
          `--service-account-private-key-file=${join(pki, "sa.key")}`,
          `--root-ca-file=${join(pki, "ca.crt")}`,
          `--controllers=${CONTROLLERS.join(",")}`,
          "--leader-elect=false",
          "--secure-port=0",
        ],
        join(dataDir, "logs", "kube-controller-manager.log"),
      ),
      new Component(
        "kube-scheduler",
        binary,
        [`--kubeconfig=${schedulerConfig}`, "--leader-elect=false", "--secure-port=0"],
        join(dataDir, "logs", "kube-scheduler.log"),
      ),
    );

    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
    const kubeletConfig = new KubeConfig();
    kubeletConfig.loadFromString(kubeconfigYaml(server, caData, "testcluster:kubelet", tokens.kubelet));
    const kubeletLog = join(dataDir, "logs", "fake-kubelet.log");
    kubelet = new FakeKubelet(kubeletConfig, {
      key: readFileSync(join(pki, "kubelet.key"), "utf8"),
      cert: readFileSync(join(pki, "kubelet.crt"), "utf8"),
      ca: caData,
      // Beside the components' logs: a status write the API refused is a bug in the fake kubelet.
      log: (line) => appendFileSync(kubeletLog, `${new Date().toISOString()} ${line}\n`),
    });
    await kubelet.start();

    const core = kubeConfig.makeApiClient(CoreV1Api);
    await waitFor(
      "the controllers (the default ServiceAccount and kube-root-ca.crt in namespace default)",
      async () => {
        for (const component of components) component.assertRunning();
        await core.readNamespacedServiceAccount({ name: "default", namespace: "default" });
        await core.readNamespacedConfigMap({ name: "kube-root-ca.crt", namespace: "default" });
        return true;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    log(`controllers running (${Date.now() - started} ms)`);

    const cluster: TestCluster = {
      kubeconfigPath,
      server,
      kubeConfig,
      caData,
      dataDir,
      auditLogPath,
      applyScenario: (yamlText, scenarioOptions) => applyScenario(kubeConfig, yamlText, scenarioOptions),
      stop,
    };
    if (options.scenario) await cluster.applyScenario(options.scenario, options.scenarioOptions);
    return cluster;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Tokens of the static token file; a kept data directory keeps its tokens so old kubeconfigs work. */
function loadTokens(dataDir: string): Tokens {
  const path = join(dataDir, "tokens.json");
  const tokens = existsSync(path)
    ? Tokens.parse(JSON.parse(readFileSync(path, "utf8")))
    : {
        admin: randomBytes(24).toString("hex"),
        controllerManager: randomBytes(24).toString("hex"),
        scheduler: randomBytes(24).toString("hex"),
        kubelet: randomBytes(24).toString("hex"),
      };
  writeFileSync(path, JSON.stringify(tokens), { mode: 0o600 });
  // token,user,uid,"groups": the bootstrap RBAC policy already binds system:kube-controller-manager and
  // system:kube-scheduler. The fake kubelet stands in for every node at once, which the Node authorizer
  // (one identity per node) cannot express, so it is an administrator.
  const lines = [
    `${tokens.admin},kubernaut-admin,kubernaut-admin,"system:masters"`,
    `${tokens.controllerManager},system:kube-controller-manager,system:kube-controller-manager`,
    `${tokens.scheduler},system:kube-scheduler,system:kube-scheduler`,
    `${tokens.kubelet},testcluster:kubelet,testcluster:kubelet,"system:masters"`,
  ];
  writeFileSync(join(dataDir, "tokens.csv"), `${lines.join("\n")}\n`, { mode: 0o600 });
  return tokens;
}

function auditPolicy() {
  return {
    apiVersion: "audit.k8s.io/v1",
    kind: "Policy",
    omitStages: ["RequestReceived"],
    rules: [
      { level: "Metadata", userGroups: [`system:serviceaccounts:${AUDITED_NAMESPACE}`] },
      { level: "None" },
    ],
  };
}

export function kubeconfigYaml(server: string, caData: string, user: string, token: string): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "testcluster",
        cluster: { server, "certificate-authority-data": Buffer.from(caData).toString("base64") },
      },
    ],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: "testcluster", context: { cluster: "testcluster", user } }],
    "current-context": "testcluster",
  });
}

function httpsGet(url: string, ca: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: { authorization: `Bearer ${token}` }, timeout: 5_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on("error", reject);
    req.end();
  });
}
