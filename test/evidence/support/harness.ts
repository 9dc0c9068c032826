import type { Config, ConfigInput } from "@kubernaut/config";
import { sha256Hex } from "@kubernaut/config";
import { isTerminal, type RemediationRequest, verifyAuditChain } from "@kubernaut/core";
import { assessDue } from "@kubernaut/effectiveness";
import { sourcePath } from "@kubernaut/policy";
import type { LocalPipelineOptions } from "@kubernaut/runtime/local";
import { approvalIdFor } from "@kubernaut/store";
import { expect } from "vitest";
import { webhook } from "../../support/alerts";
import { badRollout, simulatedCluster } from "../../support/cluster";
import { createPipelineHarness, type PipelineHarness } from "../../support/pipeline";
import { WEBHOOK_TOKEN } from "../../support/store";
import { type ClusterProxy, startClusterProxy } from "./cluster-proxy";
import { DynamoFaults } from "./dynamo-faults";

export const PROD_APPROVER = "evidence-prod-approver-token";
export const STAGING_APPROVER = "evidence-staging-approver-token";
export const BAD_IMAGE = "shop/checkout:1.5.0-bad";

/** Approver tokens scoped like an operations team's: one per environment. */
export const APPROVER_TOKENS: NonNullable<NonNullable<ConfigInput["auth"]>["apiTokens"]> = [
  {
    name: "ops-prod",
    role: "approver",
    sha256: sha256Hex(PROD_APPROVER),
    scopes: [{ environments: ["Production"] }],
  },
  {
    name: "ops-staging",
    role: "approver",
    sha256: sha256Hex(STAGING_APPROVER),
    scopes: [{ environments: ["Staging"] }],
  },
];

/** A crash-looping Deployment: the starter policy auto-approves it in staging and asks in production. */
export const crashLoop = (namespace: string, deployment = "checkout") =>
  webhook([{ labels: { alertname: "KubePodCrashLooping", severity: "critical", namespace, deployment } }]);

/** What a clean auto-approved remediation records, in order (rollout checks repeat while it converges). */
export const REMEDIATED_STEPS = [
  "RemediationCreated",
  "SignalProcessed",
  "AnalysisCompleted",
  "PolicyEvaluated",
  "PhaseChanged",
  "WorkflowExecutionStarted",
  "WorkflowExecuted",
  "RolloutChecked",
  "PhaseChanged",
  "SignalResolved",
  "EffectivenessAssessed",
];

/** A remediation's audit event types, with repeated rollout checks counted once. */
export async function stepsOf(h: PipelineHarness, id: string): Promise<string[]> {
  const types = (await h.store.timeline(id))?.audit.map((event) => event.type) ?? [];
  return types.filter((type, i) => !(type === "RolloutChecked" && types[i - 1] === "RolloutChecked"));
}

export interface EvidenceOptions {
  config?: ConfigInput;
  tune?: (config: Config) => void;
  wrapHandlers?: LocalPipelineOptions["wrapHandlers"];
  /** Act on the demo scenario in the simulator (through the change-log proxy); default true. */
  cluster?: boolean;
  /** The engine's time scale (default 0.05); 1 keeps every task timeout as deployed. */
  timeScale?: number;
}

/**
 * The whole local loop (test/support/pipeline.ts) on the demo scenario, with the evidence tooling of
 * issue 11: DynamoDB fault injection on the real client, the cluster's change log and timeouts through
 * a proxy, Alertmanager-like redelivery, and the three invariants every fault test asserts.
 */
export async function evidenceHarness(options: EvidenceOptions = {}) {
  const closers: Array<() => Promise<void>> = [];
  const cluster =
    options.cluster === false
      ? undefined
      : await simulatedCluster({
          images: { [BAD_IMAGE]: { crash: true, logs: "panic: nil pointer dereference in loadConfig" } },
        });
  if (cluster) closers.push(cluster.close);
  const proxy: ClusterProxy | undefined = cluster ? await startClusterProxy(cluster.url) : undefined;
  if (proxy) closers.push(proxy.close);
  const input = options.config ?? {};
  const h = await createPipelineHarness(
    {
      ...input,
      remediationOrchestrator: { dryRun: false, ...input.remediationOrchestrator },
      aianalysis: {
        ...input.aianalysis,
        rego: { policy: sourcePath("starter"), confidenceThreshold: 0.6, ...input.aianalysis?.rego },
      },
      auth: { apiTokens: [...APPROVER_TOKENS, ...(input.auth?.apiTokens ?? [])] },
    },
    {
      // Waits and retry intervals at 5 %: fast, yet a task's scaled timeout (enrich: 3 s, policy:
      // 1.5 s) stays well above what a cold start on a loaded 2-core machine needs.
      timeScale: options.timeScale ?? 0.05,
      // Rollout checks every 0.1 s (2 s scaled): the simulator converges at once.
      rolloutPollSeconds: 2,
      ...(proxy ? { clusterUrl: proxy.url } : {}),
      ...(options.wrapHandlers ? { wrapHandlers: options.wrapHandlers } : {}),
      tune: (config) => {
        // Assessments are due at once (the monitor is run by hand) and a stranded Pending remediation
        // is started again by the next redelivery after 200 ms instead of 30 s.
        config.effectivenessMonitor.stabilizationWindow = 1;
        config.gateway.pendingGrace = 200;
        options.tune?.(config);
      },
    },
  );
  let engineRunning = true;
  closers.push(async () => {
    if (engineRunning) await h.pipeline.close();
  });
  const faults = new DynamoFaults(h.db);
  /** Every remediation an accepted alert created: each must end in a recorded outcome. */
  const accepted = new Set<string>();

  /**
   * Posts a webhook the way Alertmanager does: a 5xx is redelivered after a pause (Alertmanager retries
   * 5xx, never 4xx) until the group is accepted. Returns the accepted answers.
   */
  const deliver = async (body: unknown, attempts = 40) => {
    for (let attempt = 1; ; attempt++) {
      const response = await h.app.request("/api/v1/signals/prometheus", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${WEBHOOK_TOKEN}` },
        body: JSON.stringify(body),
      });
      if (response.status === 202) {
        const { accepted: answers } = (await response.json()) as {
          accepted: Array<{ status: string; remediationId: string | null; reason?: string }>;
        };
        for (const answer of answers) if (answer.remediationId) accepted.add(answer.remediationId);
        return answers;
      }
      expect(response.status, "only transient faults may refuse a delivery").toBeGreaterThanOrEqual(500);
      expect(response.headers.get("retry-after")).toBe("5");
      if (attempt >= attempts) throw new Error(`the delivery was refused ${attempts} times`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  /** The one remediation a single-alert delivery created. */
  const create = async (body: unknown): Promise<string> => {
    const [answer] = await deliver(body);
    expect(answer?.status).toBe("created");
    return answer?.remediationId as string;
  };

  const decide = (rarId: string, token: string, body: unknown) =>
    h.app.request(`/api/v1/approvals/${rarId}/decision`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  const awaitingApproval = async (id: string) => {
    await h.waitFor(id, (rr) => rr.phase === "AwaitingApproval" || isTerminal(rr.phase));
    expect((await h.store.get(id))?.phase).toBe("AwaitingApproval");
    return approvalIdFor(id);
  };

  /**
   * Brings every accepted remediation to its end: waits for the pipeline, and for those that executed
   * (Verifying) sends the resolved alert and runs the effectiveness monitor, as production would.
   */
  const settle = async (timeoutMs = 15_000): Promise<RemediationRequest[]> => {
    const ids = [...accepted];
    const ended = await Promise.all(
      ids.map((id) => h.waitFor(id, (rr) => rr.phase === "Verifying" || isTerminal(rr.phase), timeoutMs)),
    );
    const verifying = ended.filter((rr) => rr.phase === "Verifying");
    for (const rr of verifying) {
      await deliver(
        webhook(
          [{ labels: rr.signal.labels, annotations: rr.signal.annotations, status: "resolved" }],
          "resolved",
        ),
      );
    }
    // The monitor runs on a schedule (every `interval`); a run that could not finish an assessment
    // leaves it to a later run once its claim (5 min) lapses — so later runs see a later clock.
    const access = cluster?.access;
    for (let run = 1; run <= 5; run++) {
      const open = [];
      for (const rr of verifying) if ((await h.store.get(rr.id))?.phase === "Verifying") open.push(rr);
      if (open.length === 0) break;
      await assessDue({
        config: () => h.config,
        store: h.store,
        assessments: h.deps.assessments,
        trust: h.deps.trust,
        ...(access ? { cluster: { access: () => access } } : {}),
        now: () => new Date(Date.now() + run * 10 * 60_000),
      });
    }
    return Promise.all(ids.map((id) => h.waitFor(id, (rr) => isTerminal(rr.phase), timeoutMs)));
  };

  /**
   * Issue 11's three invariants: every accepted alert ends in a recorded outcome; nothing executes twice
   * (the cluster's change log: each remediation's change at most once, no change without one); every
   * audit chain — each remediation's and the system stream's — verifies.
   */
  const expectInvariants = async (options: { timeoutMs?: number } = {}): Promise<RemediationRequest[]> => {
    const ended = await settle(options.timeoutMs);
    expect(ended.length, "at least one alert was accepted").toBeGreaterThan(0);
    for (const rr of ended) {
      expect(isTerminal(rr.phase), `${rr.id} ended ${rr.phase} (${rr.reason})`).toBe(true);
      expect(rr.outcome ?? rr.reason, `${rr.id} records why it ended`).toBeTruthy();
      const timeline = await h.store.timeline(rr.id);
      const audit = timeline?.audit ?? [];
      expect(verifyAuditChain(audit), `audit chain of ${rr.id}`).toEqual({ ok: true });
      // The outcome is recorded in the chain too, not only on the item.
      const ending = audit.filter((e) => e.details?.to === rr.phase);
      expect(ending.length, `${rr.id} has one audit event for its ending`).toBe(1);
      const executed = audit.filter(
        (e) => e.type === "WorkflowExecuted" && e.details?.alreadyApplied === false,
      );
      expect(executed.length, `${rr.id} applied its workflow at most once`).toBeLessThanOrEqual(1);
    }
    if (proxy) {
      const byRemediation = new Map<string, number>();
      for (const change of proxy.changes) {
        expect(
          change.remediationId,
          `${change.method} ${change.path} was made by a remediation`,
        ).toBeDefined();
        const id = change.remediationId as string;
        byRemediation.set(id, (byRemediation.get(id) ?? 0) + 1);
      }
      for (const [id, count] of byRemediation) {
        expect(count, `${id} changed the cluster ${count} times`).toBe(1);
        expect(accepted.has(id), `${id} came from an accepted alert`).toBe(true);
      }
    }
    const today = new Date().toISOString().slice(0, 10);
    expect(verifyAuditChain(await h.systemAudit.day(today)), "the system audit chain").toEqual({ ok: true });
    return ended;
  };

  return {
    h,
    cluster,
    proxy,
    faults,
    accepted,
    deliver,
    create,
    decide,
    awaitingApproval,
    settle,
    expectInvariants,
    /** A bad rollout of a Deployment (straight to the simulator, not through the change log). */
    badRollout: (namespace: string, name = "checkout") => {
      if (!cluster) throw new Error("no cluster in this harness");
      return badRollout(cluster.access, namespace, BAD_IMAGE, name);
    },
    /**
     * Stops the local engine, leaving the table as it is (a waiting remediation stays waiting, as after
     * a crash): nothing runs in the background while a test compares the table before and after.
     */
    stopEngine: async () => {
      engineRunning = false;
      await h.pipeline.close();
    },
    close: async () => {
      for (const close of closers.reverse()) await close();
    },
  };
}

export type EvidenceHarness = Awaited<ReturnType<typeof evidenceHarness>>;
export type { PipelineHarness };
