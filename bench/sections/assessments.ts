import { createHash } from "node:crypto";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { assessDue } from "@kubernaut/effectiveness";
import { wasmPath } from "@kubernaut/policy";
import type { Assessment } from "@kubernaut/store";
import { deliver, webhookBody } from "../lib/alerts";
import { startSimulator } from "../lib/cluster";
import { conditionalPut, diffCapacity, freshTable, runConcurrently, snapshot } from "../lib/dynamo";
import { type BenchLoop, startBenchLoop } from "../lib/loop";
import { type Figure, judge, type SectionResult } from "../lib/report";
import { median, pairedRatio, spread } from "../lib/stats";

export interface AssessmentsOptions {
  runs: number;
  assessments: number;
}

/**
 * One real remediation taken to Verifying on the simulator, then copied `count` times (the item as the
 * pipeline wrote it, its fingerprint state, and a due assessment of the same healthy Deployment): a
 * backlog of realistic items without running `count` rollbacks first.
 */
async function seedBacklog(
  loop: BenchLoop,
  source: { item: Record<string, unknown>; assessment: Assessment },
  count: number,
  run: number,
  dueAt: Date,
) {
  const table = loop.config.storage.tableName;
  const { item, assessment } = source;
  const ids: string[] = [];
  await runConcurrently(count, 16, async (i) => {
    const id = `rr-bench-${run}-${i}`;
    const fingerprint = createHash("sha256").update(id).digest("hex");
    ids.push(id);
    await loop.db.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...item,
          pk: `RR#${id}`,
          id,
          fingerprint,
          executionName: id,
          gsi1pk: `FP#${fingerprint}`,
          gsi1sk: `${item.createdAt}#${id}`,
          gsi2sk: `${item.updatedAt}#${id}`,
          gsi3sk: `${item.createdAt}#${id}`,
        },
      }),
    );
    await loop.db.send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: `FP#${fingerprint}`,
          sk: "STATE",
          activeRemediationId: id,
          activePhase: "Verifying",
          activeCreatedAt: item.createdAt,
          occurrenceCount: 1,
        },
      }),
    );
    // Only the assessment's own fields: the stored item also carries its keys and claim.
    await loop.assessments.schedule({
      remediationId: id,
      fingerprint,
      workflowId: assessment.workflowId,
      ...(assessment.namespace ? { namespace: assessment.namespace } : {}),
      target: assessment.target,
      alertName: assessment.alertName,
      ...(assessment.postHash ? { postHash: assessment.postHash } : {}),
      executedAt: assessment.executedAt,
      dueAt: dueAt.toISOString(),
    });
  });
  return ids;
}

/**
 * Due assessments processed per second by one run of the effectiveness monitor, with the deps
 * functions/schedule.ts gives it (cluster reads on the simulator, no notification port), against bare
 * conditional PutItems at the monitor's concurrency on the same DynamoDB Local in the same run.
 */
export async function benchAssessments(
  endpoint: string,
  options: AssessmentsOptions,
): Promise<SectionResult> {
  const cluster = await startSimulator();
  cluster.addBroken({ namespace: "staging", name: "assessed" });
  const loop = await startBenchLoop({
    endpoint,
    tablePrefix: "assess",
    clusterUrl: cluster.url,
    timeScale: 0.05,
    rolloutPollSeconds: 0.001,
    config: {
      remediationOrchestrator: { dryRun: false, newWorkflowsDryRun: false },
      aianalysis: { rego: { policy: wasmPath("starter") } },
    },
  });
  try {
    const accepted = await deliver(
      loop.ingestApp,
      webhookBody({ alertname: "KubePodCrashLooping", namespace: "staging", deployment: "assessed" }),
    );
    const sourceId = accepted.remediationId as string;
    await loop.waitFor(sourceId, (rr) => rr.phase === "Verifying");
    await loop.pipeline.engine.idle();
    // Copied as it is now, in Verifying: the runs below complete the source's own assessment too.
    const { Item: item } = await loop.db.send(
      new GetCommand({
        TableName: loop.config.storage.tableName,
        Key: { pk: `RR#${sourceId}`, sk: "RR" },
        ConsistentRead: true,
      }),
    );
    const assessment = await loop.assessments.get(sourceId);
    if (item?.phase !== "Verifying" || !assessment)
      throw new Error(`remediation ${sourceId} is not Verifying with an assessment`);
    const source = { item: item as Record<string, unknown>, assessment };
    const concurrency = loop.config.effectivenessMonitor.concurrency;
    const runs: Array<{
      perSecond: number;
      processed: number;
      seconds: number;
      reasons: Record<string, number>;
      dynamoCallsPerAssessment: Record<string, number>;
      reference: number;
    }> = [];
    const deps = {
      config: () => loop.config,
      store: loop.store,
      assessments: loop.assessments,
      trust: loop.trust,
      ...(loop.access ? { cluster: { access: () => loop.access as NonNullable<BenchLoop["access"]> } } : {}),
    };
    // One untimed run first: the first pass through the assessment code is not the steady state.
    const warm = new Date(Date.now() + 12 * 3600_000);
    await seedBacklog(loop, source, 50, 99, new Date(warm.getTime() - 60_000));
    await assessDue({ ...deps, now: () => warm });
    for (let run = 0; run < options.runs; run++) {
      const now = new Date(Date.now() + 24 * 3600_000 * (run + 1));
      const ids = await seedBacklog(loop, source, options.assessments, run, new Date(now.getTime() - 60_000));
      const before = snapshot(loop.capacity);
      const start = process.hrtime.bigint();
      const result = await assessDue(
        {
          config: () => loop.config,
          store: loop.store,
          assessments: loop.assessments,
          trust: loop.trust,
          ...(loop.access
            ? { cluster: { access: () => loop.access as NonNullable<BenchLoop["access"]> } }
            : {}),
          now: () => now,
        },
        { limit: options.assessments + 1 },
      );
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const used = diffCapacity(loop.capacity, before);
      const mine = result.processed.filter((id) => ids.includes(id));
      if (process.env.BENCH_DEBUG)
        console.error(
          JSON.stringify({
            due: result.due,
            processed: result.processed.length,
            rescheduled: result.rescheduled.length,
          }),
        );
      if (mine.length !== ids.length)
        throw new Error(`run ${run} processed ${mine.length} of ${ids.length} assessments`);
      const reasons: Record<string, number> = {};
      for (const id of ids.slice(0, 20)) {
        const reason = (await loop.assessments.get(id))?.reason ?? "none";
        reasons[reason] = (reasons[reason] ?? 0) + 1;
      }
      const reference = await freshTable(endpoint, `${loop.config.storage.tableName}-ref${run}`);
      const put = conditionalPut(reference.db, reference.tableName);
      const ref = await runConcurrently(options.assessments, concurrency, () => put());
      reference.client.destroy();
      runs.push({
        perSecond: mine.length / seconds,
        processed: mine.length,
        seconds,
        reasons,
        dynamoCallsPerAssessment: Object.fromEntries(
          Object.entries(used.calls)
            .map(([op, n]) => [op, Number((n / mine.length).toFixed(2))] as const)
            .filter(([, n]) => n >= 0.01),
        ),
        reference: ref.perSecond,
      });
    }
    const rate = runs.map((r) => r.perSecond);
    const calls = runs[runs.length - 1]?.dynamoCallsPerAssessment ?? {};
    const perAssessment = Object.entries(calls)
      .map(([op, n]) => `${n} ${op}`)
      .join(" + ");
    const totalCalls = Object.values(calls).reduce((a, b) => a + b, 0);
    const refs = runs.map((r) => r.reference);
    const figures: Figure[] = [
      judge({
        id: "assessments.throughput",
        label: `assessments: due assessments processed per second by one run (${options.assessments} due, concurrency ${concurrency})`,
        unit: "/s",
        value: spread(rate),
        reference: { label: `conditional PutItems at ${concurrency}`, value: spread(refs) },
        ratio: pairedRatio(rate, refs),
        target: { of: "value", op: ">=", limit: 300 },
        note: `DynamoDB calls per assessment: ${perAssessment}; 3 Kubernetes reads (the target, its pods, the ConfigMaps of its spec hash).`,
        why: `each assessment is ${totalCalls.toFixed(1)} DynamoDB calls — the claim, one read of the remediation, one 4-item transaction (assessment, remediation, audit event, fingerprint) and the workflow statistics' own UpdateItem (kept out of the transaction: every assessment of a workflow writes that record, and concurrent transactions on one item are cancelled on AWS) — and 3 Kubernetes reads; DynamoDB Local does a 3-to-5-item transaction at about 0.4–0.5× the rate of a single PutItem (measured while working on issue 22), and at the monitor's concurrency it does ${median(refs).toFixed(0)} single PutItems/s on this machine.`,
        close:
          "the DynamoDB calls are down to what exactly-once needs (the claim, one read, one transaction, the statistics); the rest of the time (the transaction's cost on DynamoDB Local, the three Kubernetes reads through client-node in the same process) is not yet apportioned between them. On AWS, where DynamoDB is not a JVM on the same two cores, raise effectivenessMonitor.concurrency.",
      }),
    ];
    return {
      figures,
      details: {
        method:
          "copies of one real Verifying remediation (item, fingerprint state, assessment of the same healthy Deployment) due at once; assessDue with the monitor deps of functions/schedule.ts; reference: bare conditional PutItems at effectivenessMonitor.concurrency",
        options,
        runs,
      },
    };
  } finally {
    await loop.close();
    loop.client.destroy();
    await cluster.close();
  }
}
