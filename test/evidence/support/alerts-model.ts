import fc from "fast-check";

/**
 * A model of what an Alertmanager alert is about, independent of the product's target resolution:
 * the generator decides the workload first, then writes labels that name it in one of the ways real
 * alerts do (DESIGN §3.1) — a workload label, a pod name its Deployment implies, a bare pod (whose owner
 * only enrichment can tell), a Job, a node — among noise labels that never name a target. The expected
 * remediation count per group is then the number of distinct targets, by construction. (A namespace
 * alone names no target: those alerts are among the unusable ones.)
 */
export interface ModelTarget {
  kind: "Deployment" | "StatefulSet" | "DaemonSet" | "Job" | "Node" | "Pod";
  name: string;
  namespace?: string;
  cluster?: string;
}

/** Kubernetes' SafeEncodeString alphabet, which pod-template hashes and generated suffixes use. */
const SAFE = "bcdfghjklmnpqrstvwxz2456789";
const safe = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...SAFE), minLength: min, maxLength: max });
/** Scrape jobs that stamp `job` on every series: never a Job target (see packages/core/src/target.ts). */
const SCRAPE_JOBS = ["kube-state-metrics", "kubelet", "node-exporter", "prometheus", "cadvisor"];
/** Every scrape job name the product knows: a workload named like one would not be a Job. */
const SCRAPE_NAMES = new Set([...SCRAPE_JOBS, "apiserver", "alertmanager", "coredns", "blackbox"]);

/** A workload name as Kubernetes allows it; it never looks like a generated pod name itself. */
const workloadName = fc.stringMatching(/^[a-z][a-z]{1,8}$/).filter((name) => !SCRAPE_NAMES.has(name));

/** Labels that never name a target, as Prometheus rules leave them on alerts. */
const noise = fc.dictionary(
  fc.constantFrom(
    "instance",
    "service",
    "container",
    "endpoint",
    "prometheus",
    "x_team",
    "x_region",
    "x_tier",
  ),
  fc.string({ maxLength: 24 }),
  { maxKeys: 4 },
);

/** The target labels of one alert on `target`, in a random one of the forms that name it. */
export function labelsFor(target: ModelTarget): fc.Arbitrary<Record<string, string>> {
  const scope = {
    ...(target.namespace ? { namespace: target.namespace } : {}),
    ...(target.cluster ? { cluster: target.cluster } : {}),
  };
  const withScrapeJob = (labels: Record<string, string>) =>
    fc
      .option(fc.constantFrom(...SCRAPE_JOBS), { nil: undefined })
      .map((job) => ({ ...labels, ...(job ? { job } : {}) }));
  switch (target.kind) {
    case "Deployment":
      return fc.oneof(
        withScrapeJob({ ...scope, deployment: target.name }),
        fc
          .tuple(safe(6, 10), safe(5, 5))
          .chain(([hash, suffix]) => withScrapeJob({ ...scope, pod: `${target.name}-${hash}-${suffix}` })),
      );
    case "StatefulSet":
      return withScrapeJob({ ...scope, statefulset: target.name });
    case "Pod":
      // A pod whose name implies no Deployment (a StatefulSet ordinal, a bare pod) is its own target
      // at ingest; enrichment resolves its owner through the cluster.
      return withScrapeJob({ ...scope, pod: target.name });
    case "DaemonSet":
      return withScrapeJob({ ...scope, daemonset: target.name });
    case "Job":
      return fc.oneof(
        fc.constant({ ...scope, job_name: target.name }),
        fc.constant({ ...scope, job: target.name }),
        safe(5, 5).map((suffix) => ({ ...scope, job: target.name, pod: `${target.name}-${suffix}` })),
      );
    case "Node":
      return withScrapeJob({ ...scope, node: target.name });
  }
}

/**
 * Targets for one generated group. A random tag in their namespaces and node names keeps them apart
 * from every other run's, so runs can share one table.
 */
export const targetPool: fc.Arbitrary<ModelTarget[]> = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9]{10}$/),
    fc.array(
      fc.record(
        {
          kind: fc.constantFrom<ModelTarget["kind"]>(
            "Deployment",
            "StatefulSet",
            "DaemonSet",
            "Job",
            "Node",
            "Pod",
          ),
          name: workloadName,
          namespace: fc.constantFrom("shop", "data", "edge"),
          cluster: fc.constantFrom("prod-eu", "prod-us", undefined),
        },
        { requiredKeys: ["kind", "name", "namespace"] },
      ),
      { minLength: 1, maxLength: 3 },
    ),
  )
  .map(([tag, shapes]) =>
    shapes.map((t): ModelTarget => {
      const cluster = t.cluster ? { cluster: t.cluster } : {};
      if (t.kind === "Node") return { kind: "Node", name: `node-${tag}-${t.name}`, ...cluster };
      const namespace = `fz${tag}-${t.namespace}`;
      // A StatefulSet-style ordinal: ingest must not guess the StatefulSet from it.
      if (t.kind === "Pod") return { kind: "Pod", name: `${t.name}-${t.name.length}`, namespace, ...cluster };
      return { kind: t.kind, name: t.name, namespace, ...cluster };
    }),
  );

/** The identity the product must dedup on: cluster, namespace, kind and name. */
export const identityOf = (t: ModelTarget) =>
  `${t.cluster ?? ""}/${t.kind === "Node" ? "" : t.namespace}/${t.kind}/${t.name}`;

/** An RFC 3339 timestamp as Alertmanager writes one: any precision, `Z` or an offset. */
export const timestamp = fc
  .tuple(
    fc.date({
      min: new Date("2020-01-01T00:00:00Z"),
      max: new Date("2030-01-01T00:00:00Z"),
      noInvalidDate: true,
    }),
    fc.constantFrom("", ".123", ".123456789"),
    fc.constantFrom("Z", "+02:00", "-05:30"),
  )
  .map(([date, fraction, zone]) => `${date.toISOString().slice(0, 19)}${fraction}${zone}`);

export interface GeneratedAlert {
  target: ModelTarget;
  alert: {
    status: "firing";
    labels: Record<string, string>;
    annotations: Record<string, string>;
    startsAt: string;
    endsAt?: string;
    generatorURL?: string;
    fingerprint?: string;
  };
}

/** One firing alert on a target from the pool. */
export function alertOn(pool: readonly ModelTarget[]): fc.Arbitrary<GeneratedAlert> {
  return fc.constantFrom(...pool).chain((target) =>
    fc
      .record(
        {
          labels: labelsFor(target),
          noise,
          alertname: fc.constantFrom(
            "KubePodCrashLooping",
            "HighMemoryUsage",
            "KubePodNotReady",
            "NodeNotReady",
          ),
          severity: fc.constantFrom("critical", "warning", "info"),
          annotations: fc.dictionary(fc.constantFrom("summary", "description", "runbook_url"), fc.string(), {
            maxKeys: 3,
          }),
          startsAt: timestamp,
          endsAt: fc.constantFrom("0001-01-01T00:00:00Z", undefined),
          generatorURL: fc.option(fc.webUrl(), { nil: undefined }),
          fingerprint: fc.option(fc.stringMatching(/^[0-9a-f]{16}$/), { nil: undefined }),
        },
        { requiredKeys: ["labels", "noise", "alertname", "severity", "annotations", "startsAt"] },
      )
      .map(({ labels, noise: extra, alertname, severity, ...rest }) => ({
        target,
        alert: {
          status: "firing" as const,
          // Target labels last: noise never overrides them.
          labels: { ...extra, alertname, severity, ...labels },
          annotations: rest.annotations,
          startsAt: rest.startsAt,
          ...(rest.endsAt ? { endsAt: rest.endsAt } : {}),
          ...(rest.generatorURL ? { generatorURL: rest.generatorURL } : {}),
          ...(rest.fingerprint ? { fingerprint: rest.fingerprint } : {}),
        },
      })),
  );
}

/** A webhook group around alerts, with the envelope Alertmanager v4 sends. */
export function group(alerts: ReadonlyArray<GeneratedAlert["alert"]>) {
  return {
    version: "4",
    groupKey: '{}:{alertname="fuzz"}',
    truncatedAlerts: 0,
    status: "firing",
    receiver: "kubernaut",
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: "http://alertmanager:9093",
    alerts,
  };
}
