import { randomBytes } from "node:crypto";
import { type ConfigInput, parseConfig } from "@kubernaut/config";
import { type ConsoleDeps, renderApprovalQueue, renderRemediationList } from "@kubernaut/console";
import type { RemediationRequest } from "@kubernaut/core";
import { FilePolicyStore, wasmPath } from "@kubernaut/policy";
import {
  ApprovalStore,
  approvalIdFor,
  RemediationStore,
  SystemAuditStore,
  TrustStore,
} from "@kubernaut/store";
import { CATALOG } from "@kubernaut/workflows";
import { remediation } from "../../packages/console/src/testing/fixtures";
import { freshTable, uniqueTableName } from "../lib/dynamo";
import { type Figure, judge, type SectionResult } from "../lib/report";
import { elapsedMs, median, percentile, spread } from "../lib/stats";

export interface ConsoleOptions {
  runs: number;
  remediations: number;
  /** Of those, how many wait for approval (the queue's rows). */
  pending: number;
  renders: number;
}

const PHASES: RemediationRequest["phase"][] = ["Completed", "Completed", "Failed", "Verifying", "Completed"];

/**
 * Issue 12's speed figure: the approval queue and the remediation list rendered by the console's own
 * functions (the routes call the same ones) over DynamoDB Local with `remediations` remediations in the
 * table, `pending` of them awaiting approval. Each render is the whole page: the queries and the HTML.
 */
export async function benchConsole(endpoint: string, options: ConsoleOptions): Promise<SectionResult> {
  const { db, tableName } = await freshTable(endpoint, uniqueTableName("console"));
  const config = parseConfig({ storage: { tableName } } satisfies ConfigInput, {}, "bench");
  const store = new RemediationStore(db, {
    tableName,
    remediationRetentionDays: 90,
    auditRetentionDays: 365,
  });
  const approvals = new ApprovalStore(db, tableName, 90);
  const trust = new TrustStore(db, tableName);
  const deps: ConsoleDeps = {
    decisions: {
      config: () => config,
      store,
      approvals,
      systemAudit: new SystemAuditStore(db, tableName, 365),
      catalog: CATALOG,
      policy: new FilePolicyStore(() => wasmPath("starter"), 0),
      sender: { send: async () => "delivered" },
      trust,
    },
    trust,
    settings: { sessionSecret: randomBytes(32).toString("hex"), sessionMaxAgeSeconds: 3_600 },
  };
  const now = Date.now();
  const seedStarted = process.hrtime.bigint();
  for (let i = 0; i < options.remediations; i += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, options.remediations - i) }, async (_, k) => {
        const n = i + k;
        const at = new Date(now - (options.remediations - n) * 60_000).toISOString();
        const waiting = n >= options.remediations - options.pending;
        const rr = remediation({
          id: `rr-${(now - n).toString(36)}-${n.toString(16).padStart(12, "0")}-bench0`,
          phase: waiting ? "AwaitingApproval" : (PHASES[n % PHASES.length] as RemediationRequest["phase"]),
          targetResource: { kind: "Deployment", name: `app-${n % 97}`, namespace: `team-${n % 13}` },
          createdAt: at,
          updatedAt: at,
        });
        await store.createRemediation(rr, undefined, { type: "service", id: "bench", channel: "webhook" });
        if (!waiting) return;
        await approvals.createOrRefreshToken({
          id: approvalIdFor(rr.id),
          remediationId: rr.id,
          fingerprint: rr.fingerprint,
          taskToken: `token-${rr.id}`,
          createdAt: at,
          requiredBy: new Date(now + 15 * 60_000).toISOString(),
          reason: "production environment",
          degraded: false,
          workflowId: rr.analysis?.workflowId,
          confidence: rr.analysis?.confidence ?? 0,
          environment: "Production",
          namespace: rr.targetResource.namespace,
        });
      }),
    );
  }
  const seedMs = elapsedMs(seedStarted);

  const runs: Array<{
    queueP50: number;
    queueP99: number;
    listP50: number;
    listP99: number;
    bytes: number[];
  }> = [];
  for (let run = 0; run < options.runs; run++) {
    // Warm the JIT and the client's connections before timing.
    for (let i = 0; i < 3; i++) {
      await renderApprovalQueue(deps);
      await renderRemediationList(deps);
    }
    const queue: number[] = [];
    const list: number[] = [];
    let bytes: number[] = [];
    for (let i = 0; i < options.renders; i++) {
      let start = process.hrtime.bigint();
      const queueHtml = await renderApprovalQueue(deps);
      queue.push(elapsedMs(start));
      start = process.hrtime.bigint();
      const listHtml = await renderRemediationList(deps);
      list.push(elapsedMs(start));
      bytes = [queueHtml.length, listHtml.length];
    }
    runs.push({
      queueP50: percentile(queue, 50),
      queueP99: percentile(queue, 99),
      listP50: percentile(list, 50),
      listP99: percentile(list, 99),
      bytes,
    });
  }
  const pick = (key: "queueP50" | "queueP99" | "listP50" | "listP99") => runs.map((r) => r[key]);
  const context = `${options.remediations.toLocaleString("en-US")} remediations in the table, ${options.pending} awaiting approval`;
  const figures: Figure[] = [
    judge({
      id: "console.queue",
      label: `console: approval queue render, p50 (${context})`,
      unit: "ms",
      value: spread(pick("queueP50")),
      target: { of: "value", op: "<=", limit: 200 },
      note: `p99 ${median(pick("queueP99")).toFixed(1)} ms; ${runs[0]?.bytes[0]?.toLocaleString("en-US")} characters of HTML (every pending request with its form).`,
    }),
    judge({
      id: "console.list",
      label: "console: remediation list render (first page, newest first), p50",
      unit: "ms",
      value: spread(pick("listP50")),
      target: { of: "value", op: "<=", limit: 200 },
      note: `p99 ${median(pick("listP99")).toFixed(1)} ms; ${runs[0]?.bytes[1]?.toLocaleString("en-US")} characters of HTML.`,
    }),
  ];
  return { figures, details: { seedMs, runs, options } };
}
