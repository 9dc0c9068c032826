import { createHash } from "node:crypto";
import { parseDuration } from "@kubernaut/core";
import type { JobSpec } from "@kubernaut/workflows";
import type { V1Job } from "@kubernetes/client-node";
import type { ClusterAccess, K8s } from "./access";
import { statusCode, withKubernetesRetries } from "./errors";

/** How much of a Job's logs a WorkflowExecution keeps: the tail, where a failing script says why. */
export const JOB_LOG_LIMIT = 16 * 1024;

/** Past its timeout, how long a Job may take to be marked failed by its own controller before Kubernaut does. */
const DEADLINE_GRACE_MS = 60_000;

/**
 * The Job a step runs, named after the remediation and the step: a retry finds the Job an earlier
 * attempt created instead of starting a second run of the operator's script.
 */
export function jobName(remediationId: string, index: number, step: string): string {
  const hash = createHash("sha256").update(remediationId).digest("hex").slice(0, 10);
  return `kubernaut-${hash}-${index}-${step}`.slice(0, 63).replace(/-+$/, "");
}

/** A rendered Job step (every template filled in). */
export interface RenderedJob {
  name: string;
  namespace: string;
  spec: JobSpec & { timeout: string };
  remediationId: string;
  /** `workflow@version/step`, for whoever reads the Job in the cluster. */
  origin: string;
}

/** The Job object: one pod, never restarted in place, bounded by the step's timeout and backoff limit. */
export function jobManifest(job: RenderedJob): K8s {
  const labels = { "app.kubernetes.io/managed-by": "kubernaut" };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: job.name,
      namespace: job.namespace,
      labels,
      annotations: { "kubernaut.ai/remediation-id": job.remediationId, "kubernaut.ai/step": job.origin },
    },
    spec: {
      backoffLimit: job.spec.backoffLimit,
      activeDeadlineSeconds: Math.ceil(parseDuration(job.spec.timeout) / 1000),
      // Kept a day for whoever investigates after the remediation; the logs are on the execution anyway.
      ttlSecondsAfterFinished: 86_400,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: "Never",
          ...(job.spec.serviceAccount ? { serviceAccountName: job.spec.serviceAccount } : {}),
          containers: [
            {
              name: "step",
              image: job.spec.image,
              ...(job.spec.command ? { command: job.spec.command } : {}),
              args: job.spec.args,
              env: Object.entries(job.spec.env).map(([name, value]) => ({ name, value })),
            },
          ],
        },
      },
    },
  };
}

export type JobState =
  | { state: "running"; detail: string }
  | { state: "succeeded"; detail: string }
  | { state: "failed"; detail: string };

/**
 * Where a Job stands, from its status alone (pure, table-tested): its own Complete/Failed conditions
 * decide; past its timeout (plus a grace for its controller to say so) it has failed whatever it says.
 */
export function jobState(job: K8s, now: number, timeoutMs: number): JobState {
  const conditions = (job.status?.conditions ?? []) as K8s[];
  const holds = (type: string) => conditions.find((c) => c.type === type && c.status === "True");
  const complete = holds("Complete");
  if (complete) return { state: "succeeded", detail: `Job ${job.metadata.name} completed` };
  const failed = holds("Failed");
  const counts = `${job.status?.failed ?? 0} failed pod(s)`;
  if (failed)
    return {
      state: "failed",
      detail: `Job ${job.metadata.name} failed: ${failed.reason ?? "Failed"}${failed.message ? ` (${failed.message})` : ""}, ${counts}`,
    };
  const started = Date.parse(job.status?.startTime ?? job.metadata?.creationTimestamp ?? "");
  if (Number.isFinite(started) && now - started > timeoutMs + DEADLINE_GRACE_MS)
    return {
      state: "failed",
      detail: `Job ${job.metadata.name} ran past its timeout of ${Math.round(timeoutMs / 1000)}s, ${counts}`,
    };
  return {
    state: "running",
    detail: `Job ${job.metadata.name}: ${job.status?.active ?? 0} active, ${counts}`,
  };
}

/** Creates the step's Job unless an earlier attempt did; returns it as the cluster has it. */
export async function ensureJob(access: ClusterAccess, job: RenderedJob): Promise<K8s> {
  const what = `Job ${job.namespace}/${job.name}`;
  return withKubernetesRetries(`creating ${what}`, async () => {
    try {
      return (await access.batch.readNamespacedJob({ name: job.name, namespace: job.namespace })) as K8s;
    } catch (error) {
      if (statusCode(error) !== 404) throw error;
    }
    // A 409 (created meanwhile by a concurrent attempt) is retried, and the retry reads that one.
    return (await access.batch.createNamespacedJob({
      namespace: job.namespace,
      body: jobManifest(job) as V1Job,
    })) as K8s;
  });
}

/** Reads the step's Job (retried like every read). */
export async function readJob(access: ClusterAccess, job: Pick<RenderedJob, "name" | "namespace">) {
  return withKubernetesRetries(
    `reading Job ${job.namespace}/${job.name}`,
    async () => (await access.batch.readNamespacedJob({ name: job.name, namespace: job.namespace })) as K8s,
  );
}

/** Stops a Job that ran past its timeout; its pods go with it. */
export async function deleteJob(access: ClusterAccess, job: Pick<RenderedJob, "name" | "namespace">) {
  await access.batch
    .deleteNamespacedJob({ name: job.name, namespace: job.namespace, propagationPolicy: "Background" })
    .catch((error: unknown) => {
      if (statusCode(error) !== 404) throw error;
    });
}

/**
 * The logs of the Job's pods, oldest first, each headed by its pod and phase, cut to the last
 * JOB_LOG_LIMIT characters. A log that cannot be read says so instead of failing the step.
 */
export async function jobLogs(access: ClusterAccess, job: Pick<RenderedJob, "name" | "namespace">) {
  const pods = (
    (await access.core.listNamespacedPod({ namespace: job.namespace, labelSelector: `job-name=${job.name}` }))
      .items as K8s[]
  ).sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)));
  const parts: string[] = [];
  for (const pod of pods) {
    let text: string;
    try {
      text = String(
        await access.core.readNamespacedPodLog({
          name: pod.metadata.name,
          namespace: job.namespace,
          container: "step",
        }),
      );
    } catch (error) {
      text = `(log unavailable: ${(error as Error).message})\n`;
    }
    parts.push(`--- pod ${pod.metadata.name} (${pod.status?.phase ?? "Unknown"})\n${text}`);
  }
  const all = parts.join("");
  return all.length > JOB_LOG_LIMIT ? `…${all.slice(-JOB_LOG_LIMIT)}` : all;
}
