import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { deliverPendingDecisions } from "@kubernaut/approvals";
import { sha256Hex } from "@kubernaut/config";
import { createConsole } from "@kubernaut/console";
import { assessDue } from "@kubernaut/effectiveness";
import { wasmPath } from "@kubernaut/policy";
import { decisionDeps } from "@kubernaut/runtime";
import { webhook } from "../../support/alerts";
import { badRollout, simulatedCluster } from "../../support/cluster";
import { createPipelineHarness } from "../../support/pipeline";
import { ADMIN_TOKEN } from "../../support/store";

/** People who use the console in these suites, by their API tokens (the configuration holds the hashes). */
export const PEOPLE = {
  /** An approver for production only. */
  alice: { token: "e2e-alice-approver-token-0001", role: "approver" as const },
  /** An approver everywhere. */
  bob: { token: "e2e-bob-approver-token-0002", role: "approver" as const },
  viewer: { token: "e2e-viewer-token-0003", role: "viewer" as const },
  admin: { token: ADMIN_TOKEN, role: "admin" as const },
};

/** Images the simulated cluster crash-loops on; each bad deploy ships a new one, as real ones do. */
const BAD_IMAGES = Array.from({ length: 10 }, (_, i) => `shop/checkout:1.5.${i}-bad`);

/**
 * The local loop's pieces for a browser: DynamoDB Local, the real ASL on the local engine, the
 * simulated cluster, the Hono app with the console mounted as `npm start` mounts it, the outbox sweep
 * and the effectiveness monitor on timers — served on a free loopback port.
 */
export async function startConsoleServer() {
  const cluster = await simulatedCluster({
    images: Object.fromEntries(BAD_IMAGES.map((image) => [image, { crash: true }])),
  });
  const h = await createPipelineHarness(
    {
      // Level 3: the starter policy asks for approval in production and auto-approves elsewhere. The
      // suite fixes the same Deployment again within minutes, which RecentlyRemediated would block.
      remediationOrchestrator: {
        dryRun: false,
        newWorkflowsDryRun: false,
        routing: { recentlyRemediatedCooldown: "0s" },
      },
      aianalysis: { rego: { policy: wasmPath("starter") } },
      // One approved, fully assessed remediation is enough evidence to recommend graduating here.
      graduation: { minAssessed: 1, minApprovalsInRow: 1 },
      auth: {
        apiTokens: [
          {
            name: "alice",
            role: "approver",
            sha256: sha256Hex(PEOPLE.alice.token),
            scopes: [{ environments: ["Production"] }],
          },
          { name: "bob", role: "approver", sha256: sha256Hex(PEOPLE.bob.token), scopes: [{}] },
          { name: "vera", role: "viewer", sha256: sha256Hex(PEOPLE.viewer.token) },
        ],
      },
    },
    {
      clusterUrl: cluster.url,
      // Task timeouts scale with it: generous enough for a loaded 2-core machine running a browser.
      timeScale: 0.1,
      tune: (config) => {
        // The assessment follows the rollout after 3 s instead of 5 min (the schema's minimum is for people).
        config.effectivenessMonitor.stabilizationWindow = 3_000;
      },
    },
  );
  // The decisions npm start's console makes: the runtime's own parts (packages/runtime).
  const decisions = decisionDeps(h.rt);
  // Mounted exactly as the local loop mounts it: next to the API on the same app.
  h.app.route(
    "/",
    createConsole({
      decisions,
      trust: h.deps.trust,
      settings: { sessionSecret: randomBytes(32).toString("hex"), sessionMaxAgeSeconds: 3_600 },
    }),
  );

  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
    s.once("error", reject);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const timers = [
    setInterval(() => {
      void deliverPendingDecisions({ store: h.store, approvals: h.approvals, sender: h.sender }).catch(
        () => {},
      );
    }, 500),
    setInterval(() => {
      void assessDue({
        config: () => h.config,
        store: h.store,
        assessments: h.deps.assessments,
        trust: h.deps.trust,
        cluster: { access: () => cluster.access },
      }).catch(() => {});
    }, 300),
  ];

  let release = 0;
  const alert = (namespace: string, status: "firing" | "resolved" = "firing") =>
    h.postAlerts(
      webhook(
        [
          {
            labels: {
              alertname: "KubePodCrashLooping",
              severity: "critical",
              namespace,
              deployment: "checkout",
            },
            status,
          },
        ],
        status,
      ),
    );

  /** A bad deploy and its alert: a new remediation, waited for until it needs a person (or ends). */
  const crashLoop = async (namespace: string) => {
    await badRollout(cluster.access, namespace, BAD_IMAGES[release++ % BAD_IMAGES.length]);
    const [created] = await alert(namespace);
    if (created?.status !== "created")
      throw new Error(`expected a new remediation, got ${JSON.stringify(created)}`);
    return h.waitFor(
      created.remediationId as string,
      (rr) =>
        rr.phase === "AwaitingApproval" ||
        rr.phase === "Verifying" ||
        rr.phase === "Completed" ||
        rr.phase === "Failed",
      20_000,
    );
  };

  const close = async () => {
    for (const timer of timers) clearInterval(timer);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await h.pipeline.close();
    await cluster.close();
  };
  return { url, h, cluster, crashLoop, alert, close };
}

export type ConsoleServer = Awaited<ReturnType<typeof startConsoleServer>>;
