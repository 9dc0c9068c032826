import type { ClassificationInput } from "@kubernaut/agent";
import type { RemediationRequest } from "@kubernaut/core";
import { PIPELINE_ACTOR, type PipelineDeps } from "./deps";
import { loadRemediation } from "./load";

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are read generically here.
type K8s = Record<string, any>;

/**
 * What classification reads: the alert, and — when the cluster can be read — the namespace's and the
 * target's labels. A cluster that cannot be read leaves them out (classification then falls back to the
 * alert and the names, and cannot say the target is unmanaged).
 */
async function classificationInput(deps: PipelineDeps, rr: RemediationRequest): Promise<ClassificationInput> {
  const input: ClassificationInput = { alert: { labels: rr.signal.labels, severity: rr.signal.severity } };
  const target = rr.targetResource;
  const namespace = target.namespace ?? (target.kind === "Namespace" ? target.name : undefined);
  if (namespace) input.namespace = { name: namespace };
  if (!deps.cluster) return input;
  try {
    await deps.cluster.prepare?.(target.cluster);
    const access = deps.cluster.access(target.cluster);
    if (namespace) {
      const ns = (await access.core.readNamespace({ name: namespace })) as K8s;
      input.namespace = { name: namespace, labels: ns.metadata?.labels ?? {} };
    }
    if (target.kind !== "Namespace") {
      const object = await access.read({
        kind: target.kind,
        name: target.name,
        ...(target.namespace ? { namespace: target.namespace } : {}),
      });
      input.target = { kind: target.kind, name: target.name, labels: object.metadata?.labels ?? {} };
    }
  } catch {
    // Unreadable: classify from what the alert says; the managed scope cannot be checked.
    if (namespace) input.namespace = { name: namespace };
  }
  return input;
}

/**
 * Signal processing (DESIGN §3.2): Pending → Processing with the enrichment from the Rego
 * classification policy, in one write. Returns whether the target is in the managed scope (the state
 * machine skips it otherwise). A retry after that write committed does nothing more.
 */
export async function enrich(deps: PipelineDeps, remediationId: string): Promise<{ managed: boolean }> {
  const rr = await loadRemediation(deps, remediationId);
  const config = deps.config();
  if (rr.phase !== "Pending")
    return { managed: rr.phase !== "Skipped" && !(rr.reason ?? "").startsWith("NotManaged") };
  const classification = await deps.classifier.classify(rr, await classificationInput(deps, rr));
  const managed = config.signalProcessing.managedScope === "all" || classification.managed;
  const enrichment = {
    ...classification.enrichment,
    ...(classification.degraded ? { degraded: classification.degraded } : {}),
  };
  await deps.store.transition(
    remediationId,
    {
      from: ["Pending"],
      to: "Processing",
      set: { enrichment, executionStartedAt: (deps.now?.() ?? new Date()).toISOString() },
      event: "SignalProcessed",
    },
    PIPELINE_ACTOR,
    {
      enrichment,
      managed,
      ...(classification.policyHash ? { classificationPolicyHash: classification.policyHash } : {}),
    },
  );
  return { managed };
}
