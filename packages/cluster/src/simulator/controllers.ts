import { createHash, randomBytes } from "node:crypto";
import { canonicalJson } from "@kubernaut/core";
import { type Behaviour, modelPodEvents, modelPodStatus, nodeReady } from "./behaviour";
import type { K8sObject, ObjectStore } from "./store";

const SAFE = "bcdfghjklmnpqrstvwxz2456789";
const safe = (bytes: Buffer, length: number) =>
  Array.from(bytes.subarray(0, length), (b) => SAFE[b % SAFE.length]).join("");

/**
 * Kubernetes-style pod-template hash: short, from the safe alphabet, and a function of the template's
 * content only (canonical JSON), so a template that round-trips through a client hashes the same.
 */
export function templateHash(template: unknown): string {
  return safe(
    createHash("sha256")
      .update(canonicalJson(template ?? {}))
      .digest(),
    10,
  );
}

const owner = (o: K8sObject) => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  name: o.metadata.name,
  uid: o.metadata.uid,
  controller: true,
});
const ownedBy = (o: K8sObject, parent: K8sObject) =>
  (o.metadata.ownerReferences ?? []).some((ref: { uid: string }) => ref.uid === parent.metadata.uid);
const revisionOf = (o: K8sObject) =>
  Number(o.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0);

/**
 * The simulator's controllers: Deployments own ReplicaSets (one per template, numbered revisions, the
 * current one scaled up and the rest to zero), ReplicaSets, StatefulSets and DaemonSets own Pods, and
 * every Pod's status follows the behaviour model. Run after every change, so what a client reads is
 * always converged apart from time-based effects (restart counts, readiness delays).
 */
export class Controllers {
  constructor(
    private readonly store: ObjectStore,
    private readonly behaviour: () => Behaviour,
  ) {}

  reconcile(now = Date.now()): void {
    for (const hpa of this.store.list("HorizontalPodAutoscaler")) this.hpa(hpa);
    for (const deployment of this.store.list("Deployment")) this.deployment(deployment);
    for (const rs of this.store.list("ReplicaSet")) this.replicaSet(rs);
    for (const sts of this.store.list("StatefulSet")) this.statefulSet(sts);
    for (const ds of this.store.list("DaemonSet")) this.daemonSet(ds);
    for (const job of this.store.list("Job")) this.job(job, now);
    for (const pod of this.store.list("Pod")) this.podStatus(pod, now);
    // A pod that finished above decides its Job's status now, not at the next change.
    for (const job of this.store.list("Job")) this.job(job, now);
    // Pod readiness changed above: the DaemonSets' ready/available numbers follow it.
    for (const ds of this.store.list("DaemonSet")) this.daemonSet(ds);
    for (const deployment of this.store.list("Deployment")) this.deploymentStatus(deployment);
    for (const pdb of this.store.list("PodDisruptionBudget")) this.pdbStatus(pdb);
  }

  /**
   * An HPA scales its target toward the replicas the load calls for, within [min, max]. When the load
   * wants more than max it stays saturated (ScalingLimited), which is what patch-hpa-v1 relieves.
   */
  private hpa(hpa: K8sObject): void {
    const ref = hpa.spec?.scaleTargetRef ?? {};
    const target = this.store.get(ref.kind, hpa.metadata.namespace, ref.name);
    if (!target) return;
    const demand = this.behaviour().load[`${hpa.metadata.namespace}/${ref.name}`];
    const min = hpa.spec.minReplicas ?? 1;
    const max = hpa.spec.maxReplicas;
    const desired =
      demand === undefined ? (target.spec.replicas ?? min) : Math.min(Math.max(demand, min), max);
    if (target.spec.replicas !== desired) {
      target.spec.replicas = desired;
      delete target.metadata.resourceVersion;
      this.store.update(target);
    }
    const limited = demand !== undefined && demand > max;
    const status = {
      currentReplicas: desired,
      desiredReplicas: desired,
      conditions: [
        {
          type: "ScalingLimited",
          status: limited ? "True" : "False",
          reason: limited ? "TooManyReplicas" : "DesiredWithinRange",
        },
      ],
    };
    if (JSON.stringify(hpa.status) !== JSON.stringify(status)) {
      hpa.status = status;
      delete hpa.metadata.resourceVersion;
      this.store.update(hpa, { status: true });
    }
  }

  private deployment(deployment: K8sObject): void {
    const { namespace, name } = deployment.metadata;
    const hash = templateHash(deployment.spec.template);
    const owned = this.store.list("ReplicaSet", namespace).filter((rs) => ownedBy(rs, deployment));
    const top = Math.max(0, ...owned.map(revisionOf));
    let current = owned.find((rs) => rs.metadata.labels?.["pod-template-hash"] === hash);
    if (!current) {
      current = this.store.create({
        kind: "ReplicaSet",
        metadata: {
          name: `${name}-${hash}`,
          namespace,
          labels: { ...deployment.spec.template.metadata?.labels, "pod-template-hash": hash },
          annotations: { "deployment.kubernetes.io/revision": String(top + 1) },
          ownerReferences: [owner(deployment)],
        },
        spec: {
          replicas: deployment.spec.replicas ?? 1,
          selector: deployment.spec.selector,
          template: {
            ...deployment.spec.template,
            metadata: {
              ...deployment.spec.template.metadata,
              labels: { ...deployment.spec.template.metadata?.labels, "pod-template-hash": hash },
            },
          },
        },
      });
    } else if (revisionOf(current) !== top || current.spec.replicas !== (deployment.spec.replicas ?? 1)) {
      // A rollback to an older template makes its ReplicaSet the newest revision again.
      if (revisionOf(current) !== top)
        current.metadata.annotations["deployment.kubernetes.io/revision"] = String(top + 1);
      current.spec.replicas = deployment.spec.replicas ?? 1;
      delete current.metadata.resourceVersion;
      this.store.update(current);
    }
    for (const rs of owned) {
      if (rs.metadata.name !== current.metadata.name && rs.spec.replicas !== 0) {
        rs.spec.replicas = 0;
        delete rs.metadata.resourceVersion;
        this.store.update(rs);
      }
    }
  }

  private replicaSet(rs: K8sObject): void {
    const pods = this.store.list("Pod", rs.metadata.namespace).filter((p) => ownedBy(p, rs));
    const want = rs.spec.replicas ?? 0;
    for (let i = pods.length; i < want; i++)
      this.createPod(rs, `${rs.metadata.name}-${safe(randomBytes(8), 5)}`);
    for (const pod of pods.slice(want)) this.store.delete("Pod", pod.metadata.namespace, pod.metadata.name);
    const ready = this.store
      .list("Pod", rs.metadata.namespace)
      .filter((p) => ownedBy(p, rs) && isReady(p)).length;
    if (rs.status?.readyReplicas !== ready || rs.status?.replicas !== Math.min(pods.length, want)) {
      rs.status = {
        replicas: Math.min(Math.max(pods.length, want), want),
        readyReplicas: ready,
        availableReplicas: ready,
      };
      delete rs.metadata.resourceVersion;
      this.store.update(rs, { status: true });
    }
  }

  private statefulSet(sts: K8sObject): void {
    const { namespace, name } = sts.metadata;
    const hash = templateHash(sts.spec.template);
    const revisions = this.store.list("ControllerRevision", namespace).filter((r) => ownedBy(r, sts));
    if (!revisions.some((r) => r.metadata.name === `${name}-${hash}`)) {
      this.store.create({
        kind: "ControllerRevision",
        metadata: {
          name: `${name}-${hash}`,
          namespace,
          labels: { "controller-revision-hash": hash },
          ownerReferences: [owner(sts)],
        },
        data: { spec: { template: sts.spec.template } },
        revision: Math.max(0, ...revisions.map((r) => Number(r.revision ?? 0))) + 1,
      });
    }
    const want = sts.spec.replicas ?? 1;
    for (let ordinal = 0; ordinal < Math.max(want, 50); ordinal++) {
      const podName = `${name}-${ordinal}`;
      const pod = this.store.get("Pod", namespace, podName);
      if (ordinal >= want) {
        if (pod) this.store.delete("Pod", namespace, podName);
        else if (ordinal >= want + 1) break;
        continue;
      }
      if (pod && pod.metadata.labels?.["controller-revision-hash"] !== hash)
        this.store.delete("Pod", namespace, podName);
      if (!pod || pod.metadata.labels?.["controller-revision-hash"] !== hash) {
        this.createPod(sts, podName, { "controller-revision-hash": hash });
      }
    }
    const current = this.store.mustGet(
      { kind: "StatefulSet", plural: "statefulsets", group: "apps", version: "v1", namespaced: true },
      namespace,
      name,
    );
    const owned = this.store.list("Pod", namespace).filter((p) => ownedBy(p, current));
    const ready = owned.filter(isReady).length;
    const updated = owned.filter((p) => p.metadata.labels?.["controller-revision-hash"] === hash).length;
    // The fields kube-controller-manager publishes; currentRevision catches up with updateRevision once
    // every pod runs it (here at once: the controller replaces pods immediately).
    const status = {
      replicas: owned.length,
      readyReplicas: ready,
      currentReplicas: updated,
      updatedReplicas: updated,
      availableReplicas: ready,
      currentRevision: `${name}-${hash}`,
      updateRevision: `${name}-${hash}`,
      observedGeneration: current.metadata.generation,
    };
    if (JSON.stringify(current.status) !== JSON.stringify(status)) {
      current.status = status;
      delete current.metadata.resourceVersion;
      this.store.update(current, { status: true });
    }
  }

  /**
   * One pod per node, on cordoned nodes too (DaemonSet pods tolerate unschedulable), replaced when the
   * template changes; the status carries the DaemonSet fields (desired/updated/ready/available numbers),
   * not a Deployment's.
   */
  private daemonSet(ds: K8sObject): void {
    const { namespace, name } = ds.metadata;
    const hash = templateHash(ds.spec.template);
    const nodes = this.store.list("Node");
    for (const pod of this.store.list("Pod", namespace).filter((p) => ownedBy(p, ds))) {
      const stale = pod.metadata.labels?.["controller-revision-hash"] !== hash;
      const orphaned = !nodes.some((n) => n.metadata.name === pod.spec.nodeName);
      if (stale || orphaned) this.store.delete("Pod", namespace, pod.metadata.name);
    }
    for (const node of nodes) {
      const pods = this.store.list("Pod", namespace).filter((p) => ownedBy(p, ds));
      if (!pods.some((p) => p.spec.nodeName === node.metadata.name)) {
        this.createPod(
          ds,
          `${name}-${safe(randomBytes(8), 5)}`,
          { "controller-revision-hash": hash },
          node.metadata.name,
        );
      }
    }
    const current = this.store.get("DaemonSet", namespace, name);
    if (!current) return;
    const pods = this.store.list("Pod", namespace).filter((p) => ownedBy(p, current));
    const ready = pods.filter(isReady).length;
    const status = {
      currentNumberScheduled: pods.length,
      desiredNumberScheduled: nodes.length,
      numberMisscheduled: 0,
      numberReady: ready,
      numberAvailable: ready,
      numberUnavailable: nodes.length - ready,
      updatedNumberScheduled: pods.filter((p) => p.metadata.labels?.["controller-revision-hash"] === hash)
        .length,
      observedGeneration: current.metadata.generation,
    };
    if (JSON.stringify(current.status) !== JSON.stringify(status)) {
      current.status = status;
      delete current.metadata.resourceVersion;
      this.store.update(current, { status: true });
    }
  }

  /**
   * kube-controller-manager's Job controller, for one completion: a pod at a time (restartPolicy Never,
   * labelled job-name), a new one after each failure until `backoffLimit` failures, then `Failed`
   * (BackoffLimitExceeded); `Complete` when a pod succeeds; `Failed` (DeadlineExceeded) past
   * `activeDeadlineSeconds`, its running pod deleted. Pods succeed or fail by the behaviour model.
   */
  private job(job: K8sObject, now: number): void {
    const { namespace, name } = job.metadata;
    const finished = (job.status?.conditions ?? []).some(
      (c: K8sObject) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
    );
    const pods = this.store.list("Pod", namespace).filter((p) => ownedBy(p, job));
    const succeeded = pods.filter((p) => p.status?.phase === "Succeeded").length;
    const failed = pods.filter((p) => p.status?.phase === "Failed").length;
    const active = pods.filter((p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
    const startTime = job.status?.startTime ?? new Date(now).toISOString();
    const deadline = job.spec?.activeDeadlineSeconds;
    let condition: { type: string; reason: string; message: string } | undefined;
    if (finished) condition = undefined;
    else if (succeeded >= (job.spec?.completions ?? 1))
      condition = { type: "Complete", reason: "Completed", message: "the Job completed" };
    else if (failed > (job.spec?.backoffLimit ?? 6))
      condition = {
        type: "Failed",
        reason: "BackoffLimitExceeded",
        message: "Job has reached the specified backoff limit",
      };
    else if (deadline !== undefined && now - Date.parse(startTime) > deadline * 1000)
      condition = {
        type: "Failed",
        reason: "DeadlineExceeded",
        message: "Job was active longer than specified deadline",
      };
    if (condition?.type === "Failed" || finished)
      for (const pod of active) this.store.delete("Pod", namespace, pod.metadata.name);
    else if (!condition && active.length === 0) {
      const template = job.spec.template ?? {};
      this.createPod(
        { ...job, spec: { ...job.spec, template: { ...template, spec: { ...template.spec } } } },
        `${name}-${safe(randomBytes(8), 5)}`,
        { "job-name": name, "batch.kubernetes.io/job-name": name, "controller-uid": job.metadata.uid },
      );
    }
    if (finished) return;
    const at = new Date(now).toISOString();
    const status = {
      startTime,
      active: condition ? 0 : Math.max(active.length, 1),
      succeeded,
      failed,
      ...(condition
        ? {
            conditions: [{ ...condition, status: "True", lastTransitionTime: at }],
            ...(condition.type === "Complete" ? { completionTime: at } : {}),
          }
        : {}),
    };
    const { conditions: _, completionTime: __, ...was } = job.status ?? {};
    const { conditions: ___, completionTime: ____, ...is } = status as K8sObject;
    if (condition || JSON.stringify(was) !== JSON.stringify(is)) {
      job.status = status;
      delete job.metadata.resourceVersion;
      this.store.update(job, { status: true });
    }
  }

  private createPod(
    parent: K8sObject,
    name: string,
    extraLabels: Record<string, string> = {},
    nodeName?: string,
  ): void {
    const template = parent.spec.template ?? {};
    this.store.create({
      kind: "Pod",
      metadata: {
        name,
        namespace: parent.metadata.namespace,
        labels: { ...template.metadata?.labels, ...extraLabels },
        annotations: { ...template.metadata?.annotations },
        ownerReferences: [owner(parent)],
      },
      spec: { ...structuredClone(template.spec ?? {}), nodeName: nodeName ?? this.schedule() },
      status: { phase: "Pending" },
    });
  }

  /** The first Ready, schedulable node; none means the pod stays Pending. */
  private schedule(): string | undefined {
    const nodes = this.store.list("Node");
    if (nodes.length === 0) return "sim-node";
    return nodes.find((n) => !n.spec?.unschedulable && nodeReady(n))?.metadata.name;
  }

  private podStatus(pod: K8sObject, now: number): void {
    const node = pod.spec.nodeName ? this.store.get("Node", undefined, pod.spec.nodeName) : undefined;
    const status = modelPodStatus(pod, node, this.behaviour(), now);
    for (const { reason, message } of modelPodEvents(status)) this.event(pod, reason, message);
    if (JSON.stringify(pod.status) !== JSON.stringify(status)) {
      pod.status = status;
      delete pod.metadata.resourceVersion;
      this.store.update(pod, { status: true });
    }
  }

  private deploymentStatus(deployment: K8sObject): void {
    const rses = this.store
      .list("ReplicaSet", deployment.metadata.namespace)
      .filter((rs) => ownedBy(rs, deployment));
    const hash = templateHash(deployment.spec.template);
    const current = rses.find((rs) => rs.metadata.labels?.["pod-template-hash"] === hash);
    const pods = this.store
      .list("Pod", deployment.metadata.namespace)
      .filter((p) => rses.some((rs) => ownedBy(p, rs)));
    const updated = pods.filter((p) => current && ownedBy(p, current));
    const ready = updated.filter(isReady).length;
    const replicas = deployment.spec.replicas ?? 1;
    const status = {
      observedGeneration: deployment.metadata.generation,
      replicas: pods.length,
      updatedReplicas: updated.length,
      readyReplicas: ready,
      availableReplicas: ready,
      conditions: [
        { type: "Available", status: ready >= replicas ? "True" : "False" },
        {
          type: "Progressing",
          status: "True",
          reason: ready >= replicas ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
        },
      ],
    };
    if (JSON.stringify(deployment.status) !== JSON.stringify(status)) {
      deployment.status = status;
      delete deployment.metadata.resourceVersion;
      this.store.update(deployment, { status: true });
    }
  }

  private pdbStatus(pdb: K8sObject): void {
    const selector = pdb.spec.selector?.matchLabels ?? {};
    const pods = this.store
      .list("Pod", pdb.metadata.namespace)
      .filter((p) => Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v));
    const healthy = pods.filter(isReady).length;
    const minAvailable =
      pdb.spec.minAvailable ??
      (pdb.spec.maxUnavailable !== undefined ? pods.length - pdb.spec.maxUnavailable : 0);
    const status = {
      currentHealthy: healthy,
      desiredHealthy: minAvailable,
      expectedPods: pods.length,
      disruptionsAllowed: Math.max(0, healthy - minAvailable),
    };
    if (JSON.stringify(pdb.status) !== JSON.stringify(status)) {
      pdb.status = status;
      delete pdb.metadata.resourceVersion;
      this.store.update(pdb, { status: true });
    }
  }

  private event(pod: K8sObject, reason: string, message: string): void {
    const name = `${pod.metadata.name}.${reason.toLowerCase()}`;
    if (this.store.get("Event", pod.metadata.namespace, name)) return;
    this.store.create({
      kind: "Event",
      metadata: { name, namespace: pod.metadata.namespace },
      involvedObject: {
        kind: "Pod",
        name: pod.metadata.name,
        namespace: pod.metadata.namespace,
        uid: pod.metadata.uid,
      },
      reason,
      message,
      type: "Warning",
      count: 1,
      firstTimestamp: new Date().toISOString(),
      lastTimestamp: new Date().toISOString(),
    });
  }
}

export function isReady(pod: K8sObject): boolean {
  return (pod.status?.conditions ?? []).some((c: K8sObject) => c.type === "Ready" && c.status === "True");
}
