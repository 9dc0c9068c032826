import { type Enrichment, Environment, Priority, type RemediationRequest, Severity } from "@kubernaut/core";
import { CLASSIFICATION_ENTRYPOINT, type PolicyStatus, RegoModule, WatchedRego } from "@kubernaut/policy";
import { z } from "zod";
import { enrichSignal } from "./enrich";

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
      CLASSIFICATION_ENTRYPOINT,
      (wasm, source) => RegoModule.load(wasm, source, CLASSIFICATION_ENTRYPOINT),
      checkEveryMs,
    );
  }

  /** Which classification policy is in force (file, hash, load time), for `npm start` and the console. */
  describe(): Promise<PolicyStatus> {
    return this.watched.describe();
  }

  async classify(rr: RemediationRequest, input: ClassificationInput): Promise<Classification> {
    // The built-in rules still name the environment, severity and priority for the record, but the
    // managed scope is a safety gate: a policy that cannot decide it fails closed (not managed).
    const fallback = (reason: string): Classification => ({
      enrichment: enrichSignal(rr.signal, rr.targetResource),
      managed: false,
      degraded: reason,
    });
    const { module, error, path } = await this.watched.module();
    if (!path) return fallback("no classification policy configured");
    if (!module) return fallback(`classification policy ${path} is unusable: ${error ?? "not loaded"}`);
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
