import type { ClassificationInput } from "@kubernaut/agent";
import {
  describeCluster,
  describeObject,
  isTransientKubernetesError,
  kubernetesErrorMessage,
  ownerChain,
  statusCode,
} from "@kubernaut/cluster";
import { decideDedup, fingerprintOf, isTerminal, type RemediationRequest } from "@kubernaut/core";
import { PIPELINE_ACTOR, type PipelineDeps } from "./deps";
import { TransientError } from "./errors";
import { loadRemediation } from "./load";

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are read generically here.
type K8s = Record<string, any>;

/** Why a target is out of scope before any policy runs (its namespace does not exist, say). */
type Scope = { input: ClassificationInput; outOfScope?: string };

/**
 * What classification reads: the alert, and — when the cluster can be read — the namespace's and the
 * target's labels. A namespace that does not exist is out of scope; one that cannot be read for
 * another reason (RBAC) makes the scope undecidable, which fails closed. Throttling and server faults
 * are retried by the state machine; a target that does not exist is `TargetNotFoundError`.
 */
async function classificationInput(deps: PipelineDeps, rr: RemediationRequest): Promise<Scope> {
  const config = deps.config();
  const input: ClassificationInput = {
    alert: { labels: rr.signal.labels, severity: rr.signal.severity },
    options: { environment_from_namespace_name: config.signalProcessing.environmentFromNamespaceName },
  };
  const target = rr.targetResource;
  const namespace = target.namespace ?? (target.kind === "Namespace" ? target.name : undefined);
  if (namespace) input.namespace = { name: namespace };
  // Without a cluster (analysis by alert name) nothing can be read, and nothing says unmanaged.
  if (!deps.cluster) return { input };
  await deps.cluster.prepare?.(target.cluster);
  const access = deps.cluster.access(target.cluster);
  if (namespace) {
    const ref = { kind: "Namespace", name: namespace };
    try {
      const ns = (await access.core.readNamespace({ name: namespace })) as K8s;
      input.namespace = { name: namespace, labels: ns.metadata?.labels ?? {} };
    } catch (error) {
      if (isTransientKubernetesError(error))
        throw new TransientError(kubernetesErrorMessage(error, ref, target.cluster));
      const reason =
        statusCode(error) === 404
          ? `namespace ${namespace} does not exist in ${describeCluster(target.cluster)}`
          : `the managed scope could not be checked: ${kubernetesErrorMessage(error, ref, target.cluster)}`;
      return { input, outOfScope: reason };
    }
  }
  if (target.kind !== "Namespace") {
    try {
      const object = await access.read(target);
      input.target = { kind: target.kind, name: target.name, labels: object.metadata?.labels ?? {} };
    } catch (error) {
      const message = kubernetesErrorMessage(error, target, target.cluster);
      if (statusCode(error) === 404) throw new TargetNotFoundError(message);
      if (isTransientKubernetesError(error)) throw new TransientError(message);
      // Unreadable (RBAC): the namespace's labels still decide the scope.
    }
  }
  return { input };
}

/** The target does not exist in its cluster: nothing to remediate. */
class TargetNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TargetNotFound";
  }
}

/**
 * Where the owner chain starts: the pod an alert names (the target itself, or the pod whose name
 * implied the provisional Deployment), or a ReplicaSet or Job, whose owners (a Deployment, a CronJob)
 * are what to act on.
 */
function chainStart(rr: RemediationRequest): { kind: string; name: string; namespace: string } | undefined {
  const { kind, name, namespace } = rr.targetResource;
  if (!namespace) return undefined;
  if (rr.targetSource === "pod-name") {
    const pod = rr.signal.labels.exported_pod ?? rr.signal.labels.pod;
    return pod ? { kind: "Pod", name: pod, namespace } : undefined;
  }
  if (kind === "Pod" || kind === "ReplicaSet" || kind === "Job") return { kind, name, namespace };
  return undefined;
}

/**
 * Owner-chain verification (DESIGN §3.1): the alert named a pod (or ReplicaSet, or Job); here its
 * controller references say which workload it really belongs to. A different answer moves the
 * remediation to the verified target — or, when that target already has a remediation or a hold,
 * merges into it (cancelled as `MergedInto`), so two remediations never act on one workload. A pod that
 * no longer exists, with no owner to be found, is dropped (`TargetNotFound`), never remediated; one
 * that cannot be read for another reason keeps the provisional target.
 */
async function verifyOwner(
  deps: PipelineDeps,
  rr: RemediationRequest,
): Promise<RemediationRequest | "merged" | "gone"> {
  const start = chainStart(rr);
  if (!deps.cluster || !start) return rr;
  const cluster = rr.targetResource.cluster;
  await deps.cluster.prepare?.(cluster);
  const access = deps.cluster.access(cluster);
  let chain: Array<{ kind: string; name: string }>;
  try {
    chain = await ownerChain(access, start);
  } catch (error) {
    if (isTransientKubernetesError(error))
      throw new TransientError(kubernetesErrorMessage(error, start, cluster));
    if (statusCode(error) !== 404) return rr;
    // The pod is gone. Its provisional Deployment may still be there (the pod was replaced).
    if (rr.targetSource === "pod-name") {
      try {
        await access.read(rr.targetResource);
        return rr;
      } catch (ownerError) {
        if (isTransientKubernetesError(ownerError))
          throw new TransientError(kubernetesErrorMessage(ownerError, rr.targetResource, cluster));
      }
    }
    await drop(
      deps,
      rr,
      `${describeObject(start)} no longer exists in ${describeCluster(cluster)} and no owner of it could be found`,
    );
    return "gone";
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

/** Ends a remediation whose target does not exist: nothing is remediated, and the reason says why. */
async function drop(deps: PipelineDeps, rr: RemediationRequest, why: string): Promise<void> {
  await deps.store.transition(
    rr.id,
    { from: ["Pending"], to: "Cancelled", reason: `TargetNotFound: ${why}`, event: "TargetNotFound" },
    PIPELINE_ACTOR,
    { target: rr.targetResource },
  );
}

/**
 * Signal processing (DESIGN §3.2): Pending → Processing with the enrichment from the Rego
 * classification policy, in one write. Returns whether the target is in the managed scope (the state
 * machine skips it otherwise). A retry after that write committed does nothing more.
 */
export async function enrich(deps: PipelineDeps, remediationId: string): Promise<{ managed: boolean }> {
  const loaded = await loadRemediation(deps, remediationId);
  const config = deps.config();
  // A retry after the write below: a remediation ended here (merged, dropped) or skipped goes no further.
  if (loaded.phase !== "Pending")
    return { managed: !isTerminal(loaded.phase) && !(loaded.reason ?? "").startsWith("NotManaged") };
  const rr = await verifyOwner(deps, loaded);
  if (rr === "merged" || rr === "gone") return { managed: false };
  let scope: Scope;
  try {
    scope = await classificationInput(deps, rr);
  } catch (error) {
    if (!(error instanceof TargetNotFoundError)) throw error;
    await drop(deps, rr, error.message);
    return { managed: false };
  }
  const classification = await deps.classifier.classify(rr, scope.input);
  // A classification that could not run fails closed whatever the scope setting: the environment it
  // would have named is unknown too, and nothing is remediated on a guess. So does a scope that could
  // not be checked, and a namespace that does not exist is in nobody's scope.
  const managed =
    scope.outOfScope === undefined &&
    classification.degraded === undefined &&
    (config.signalProcessing.managedScope === "all" || classification.managed);
  const enrichment = {
    ...classification.enrichment,
    ...(classification.degraded ? { degraded: classification.degraded } : {}),
    ...(scope.outOfScope ? { outOfScope: scope.outOfScope } : {}),
  };
  await deps.store.transition(
    remediationId,
    {
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
