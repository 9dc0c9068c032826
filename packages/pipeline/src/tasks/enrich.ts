import type { ClassificationInput } from "@kubernaut/agent";
import { ownerChain } from "@kubernaut/cluster";
import { decideDedup, fingerprintOf, type RemediationRequest } from "@kubernaut/core";
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
  const input: ClassificationInput = {
    alert: { labels: rr.signal.labels, severity: rr.signal.severity },
    options: {
      environment_from_namespace_name: deps.config().signalProcessing.environmentFromNamespaceName,
    },
  };
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
 * Owner-chain verification (DESIGN §3.1): ingest attributed a pod-only alert to the workload its name
 * implies; here the pod's controller references say which workload it really is. A different answer
 * moves the remediation to the verified target — or, when that target already has a remediation or a
 * hold, merges into it (cancelled as `MergedInto`), so two remediations never act on one workload. A
 * pod that cannot be read keeps the inferred target.
 */
async function verifyOwner(
  deps: PipelineDeps,
  rr: RemediationRequest,
): Promise<RemediationRequest | "merged"> {
  const pod = rr.signal.labels.pod;
  const namespace = rr.targetResource.namespace;
  if (!deps.cluster || !pod || !namespace || (rr.targetSource !== "pod-name" && rr.targetSource !== "pod"))
    return rr;
  let chain: Array<{ kind: string; name: string }>;
  try {
    await deps.cluster.prepare?.(rr.targetResource.cluster);
    chain = await ownerChain(deps.cluster.access(rr.targetResource.cluster), namespace, pod);
  } catch {
    return rr;
  }
  const top = chain[chain.length - 1];
  if (!top || (top.kind === rr.targetResource.kind && top.name === rr.targetResource.name)) return rr;
  const target = { ...rr.targetResource, kind: top.kind, name: top.name };
  const fingerprint = fingerprintOf(target);
  const now = deps.now?.() ?? new Date();
  const view = await deps.store.readFingerprint(fingerprint);
  const decision = decideDedup(view, now, deps.config().gateway.pendingGrace);
  if (decision.action === "create") {
    const outcome = await deps.store.retarget(
      rr,
      { target, fingerprint, previousActiveId: view.activeRemediationId },
      PIPELINE_ACTOR,
    );
    if (outcome === "retargeted") return loadRemediation(deps, rr.id);
  }
  const into =
    decision.action === "held"
      ? `hold on ${fingerprint}`
      : decision.action === "create"
        ? fingerprint
        : decision.remediationId;
  await deps.store.recordOccurrence(fingerprint, now);
  await deps.store.transition(
    rr.id,
    {
      from: ["Pending"],
      to: "Cancelled",
      reason: `MergedInto: ${into} (the pod belongs to ${top.kind}/${top.name})`,
      event: "TargetVerified",
    },
    PIPELINE_ACTOR,
    { inferred: rr.targetResource, verified: target },
  );
  return "merged";
}

/**
 * Signal processing (DESIGN §3.2): Pending → Processing with the enrichment from the Rego
 * classification policy, in one write. Returns whether the target is in the managed scope (the state
 * machine skips it otherwise). A retry after that write committed does nothing more.
 */
export async function enrich(deps: PipelineDeps, remediationId: string): Promise<{ managed: boolean }> {
  const loaded = await loadRemediation(deps, remediationId);
  const config = deps.config();
  if (loaded.phase !== "Pending")
    return { managed: loaded.phase !== "Skipped" && !(loaded.reason ?? "").startsWith("NotManaged") };
  const rr = await verifyOwner(deps, loaded);
  if (rr === "merged") return { managed: false };
  const classification = await deps.classifier.classify(rr, await classificationInput(deps, rr));
  // A classification that could not run fails closed whatever the scope setting: the environment it
  // would have named is unknown too, and nothing is remediated on a guess.
  const managed =
    classification.degraded === undefined &&
    (config.signalProcessing.managedScope === "all" || classification.managed);
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
