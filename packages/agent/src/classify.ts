import { type Enrichment, Environment, Priority, type RemediationRequest, Severity } from "@kubernaut/core";
import {
  CLASSIFICATION_ENTRYPOINT,
  classificationEntrypoint,
  KUBERNAUT_SIGNALPROCESSING_ENTRYPOINT,
  type PolicyStatus,
  RegoModule,
  WatchedRego,
} from "@kubernaut/policy";
import { z } from "zod";
import { enrichSignal, environmentFromWord, normalizeSeverity } from "./enrich";

const Output = z.object({
  environment: Environment,
  environment_source: z.string(),
  severity: Severity,
  priority: Priority,
  custom_labels: z.record(z.string(), z.string()).default({}),
  business_classification: z.record(z.string(), z.string()).default({}),
  managed: z.boolean(),
});

export interface ClassificationInput {
  alert: { labels: Record<string, string>; severity: string };
  /** The operator's switches for the shipped policy (signalProcessing.*). */
  options?: { environment_from_namespace_name: boolean };
  /** Labels absent = the namespace could not be read (nothing then says the target is unmanaged). */
  namespace?: { name: string; labels?: Record<string, string> };
  target?: { kind: string; name: string; labels: Record<string, string> };
}

export interface Classification {
  enrichment: Enrichment & { businessClassification?: Record<string, string> };
  managed: boolean;
  /** Set when the Rego policy could not be used and the built-in rules decided instead. */
  degraded?: string;
  policyHash?: string;
}

/**
 * Signal classification through the operator-editable Rego policy (DESIGN §3.2), evaluated with
 * opa-wasm like the approval policy and re-read when the file changes. If the policy is unusable the
 * built-in TypeScript rules (the same logic) classify, the result says it was degraded, and the target
 * counts as not managed: nothing is remediated on a scope nobody could decide.
 */
export class Classifier {
  private readonly watched: WatchedRego<RegoModule>;

  constructor(path: () => string | undefined, checkEveryMs = 2_000) {
    this.watched = new WatchedRego(
      path,
      classificationEntrypoint,
      (wasm, source) =>
        RegoModule.load(wasm, source, [CLASSIFICATION_ENTRYPOINT, KUBERNAUT_SIGNALPROCESSING_ENTRYPOINT]),
      checkEveryMs,
    );
  }

  /** Why the configured policy cannot classify, or undefined when it loads (start-up refuses otherwise). */
  async problem(): Promise<string | undefined> {
    const { module, error, path } = await this.watched.module();
    if (!path) return "no classification policy configured";
    return module ? undefined : `classification policy ${path} is unusable: ${error ?? "not loaded"}`;
  }

  /** Which classification policy is in force (file, hash, load time), for `npm start` and the console. */
  describe(): Promise<PolicyStatus> {
    return this.watched.describe();
  }

  async classify(rr: RemediationRequest, input: ClassificationInput): Promise<Classification> {
    // The built-in rules still name the environment, severity and priority for the record, but the
    // managed scope is a safety gate: a policy that cannot decide it fails closed (not managed).
    const fallback = (reason: string): Classification => ({
      enrichment: enrichSignal(rr.signal, input.namespace, input.options?.environment_from_namespace_name),
      managed: false,
      degraded: reason,
    });
    const { module, error, path } = await this.watched.module();
    if (!path) return fallback("no classification policy configured");
    if (!module) return fallback(`classification policy ${path} is unusable: ${error ?? "not loaded"}`);
    if (module.format === KUBERNAUT_SIGNALPROCESSING_ENTRYPOINT) {
      const result = classifyKubernaut(rr, input, module.evaluate(kubernautInput(rr, input)));
      return "problem" in result
        ? fallback(`classification policy ${path}: ${result.problem}`)
        : { ...result, policyHash: module.hash };
    }
    let parsed: z.infer<typeof Output>;
    try {
      parsed = Output.parse(module.evaluate(input));
    } catch (e) {
      return fallback(`classification policy result is unusable: ${(e as Error).message}`);
    }
    return {
      enrichment: {
        environment: parsed.environment,
        environmentSource: parsed.environment_source,
        severity: parsed.severity,
        priority: parsed.priority,
        customLabels: parsed.custom_labels,
        businessClassification: parsed.business_classification,
      },
      managed: parsed.managed,
      policyHash: module.hash,
    };
  }
}

/** Kubernaut's policy input (pkg/signalprocessing/evaluator PolicyInput). */
function kubernautInput(rr: RemediationRequest, input: ClassificationInput) {
  return {
    namespace: { name: input.namespace?.name ?? "", labels: input.namespace?.labels ?? {}, annotations: {} },
    signal: {
      severity: input.alert.severity,
      type: rr.signal.alertName,
      source: rr.signal.source,
      labels: input.alert.labels,
    },
    workload: {
      kind: input.target?.kind ?? rr.targetResource.kind,
      name: input.target?.name ?? rr.targetResource.name,
      labels: input.target?.labels ?? {},
      annotations: {},
    },
  };
}

const KubernautOutput = z.object({
  environment: z
    .object({ environment: z.string().min(1), source: z.string().optional() })
    .passthrough()
    .optional(),
  priority: z.object({ priority: z.string(), policy_name: z.string().optional() }).passthrough().optional(),
  severity: z.string().optional(),
  labels: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
});

/** Kubernaut's severities and ours (critical, high, warning, info, unknown). */
const KUBERNAUT_SEVERITY: Record<string, z.infer<typeof Severity>> = {
  critical: "critical",
  high: "high",
  medium: "warning",
  low: "info",
  unknown: "unknown",
};

/** Criticality and SLA by environment, as Kubernaut's business classification derives them. */
const BUSINESS_BY_ENVIRONMENT: Record<string, { criticality: string; slaRequirement: string }> = {
  Production: { criticality: "high", slaRequirement: "gold" },
  Staging: { criticality: "medium", slaRequirement: "silver" },
  Development: { criticality: "low", slaRequirement: "bronze" },
  Test: { criticality: "low", slaRequirement: "bronze" },
  Unknown: { criticality: "medium", slaRequirement: "silver" },
};

/**
 * A Kubernaut policy's answer as this project's classification. Like Kubernaut, an environment or
 * priority the policy does not produce is a failure (its docs: "this policy is MANDATORY"), which here
 * fails closed; custom labels follow Kubernaut's limits (10 keys, 5 values, reserved prefixes dropped);
 * the managed scope and the business classification are derived as Kubernaut's controller derives them.
 */
function classifyKubernaut(
  rr: RemediationRequest,
  input: ClassificationInput,
  raw: unknown,
): Omit<Classification, "policyHash"> | { problem: string } {
  const parsed = KubernautOutput.safeParse(raw);
  if (!parsed.success)
    return { problem: `its result has the wrong shape: ${parsed.error.issues[0]?.message}` };
  const { environment, priority, severity, labels } = parsed.data;
  if (!environment) return { problem: "environment classification returned no result (add a default rule)" };
  if (!priority || !Priority.safeParse(priority.priority).success)
    return { problem: `priority must be P0–P3 (got ${priority?.priority ?? "nothing"}; add a default rule)` };
  const env = environmentFromWord(environment.environment) ?? "Unknown";
  const nsLabels = input.namespace?.labels;
  const workloadLabels = input.target?.labels ?? {};
  const customLabels = Object.fromEntries(
    Object.entries(labels ?? {})
      .filter(([key]) => !key.startsWith("kubernaut.ai/") && !key.startsWith("system/") && key.length <= 63)
      .slice(0, 10)
      .map(([key, value]) => [
        key,
        [value]
          .flat()
          .slice(0, 5)
          .map((v) => v.slice(0, 100)),
      ]),
  );
  const labelled = (key: string) => nsLabels?.[key] ?? workloadLabels[key];
  const businessUnit = labelled("kubernaut.ai/business-unit") ?? labelled("kubernaut.ai/team");
  const serviceOwner = labelled("kubernaut.ai/service-owner");
  return {
    enrichment: {
      environment: env,
      environmentSource: environment.source || "default",
      severity: severity
        ? (KUBERNAUT_SEVERITY[severity.toLowerCase()] ?? "unknown")
        : normalizeSeverity(rr.signal.severity),
      priority: priority.priority as z.infer<typeof Priority>,
      customLabels,
      businessClassification: {
        ...(businessUnit ? { businessUnit } : {}),
        ...(serviceOwner ? { serviceOwner } : {}),
        ...(BUSINESS_BY_ENVIRONMENT[env] ?? { criticality: "medium", slaRequirement: "bronze" }),
      },
    },
    // The scope is not part of Kubernaut's policy: kubernaut.ai/managed=true on the workload or its
    // namespace, and — without a cluster to read — nothing says unmanaged (as the shipped policy does).
    managed:
      nsLabels === undefined ||
      nsLabels["kubernaut.ai/managed"] === "true" ||
      workloadLabels["kubernaut.ai/managed"] === "true",
  };
}
