import { type LoadedPolicy, loadPolicy } from "@open-policy-agent/opa-wasm";
import { z } from "zod";
import { APPROVAL_ENTRYPOINT, sha256 } from "./build";
import type { PolicyInput } from "./input";

/** What a policy decided, or — `degraded` — why it could not, in which case approval is required. */
export interface PolicyOutcome {
  requireApproval: boolean;
  deny: boolean;
  degraded: boolean;
  reason: string;
  /** A Go-style duration from the policy's `required_by`, if it set one. */
  requiredBy?: string;
  policyHash?: string;
}

const Output = z
  .object({
    require_approval: z.boolean({ error: "require_approval must be a boolean" }),
    reason: z.string().optional(),
    required_by: z.string().optional(),
    deny: z.boolean().optional(),
  })
  .passthrough();

/** Never auto-approve on error (DESIGN §3.5): every failure is an approval-required, degraded decision. */
export function degraded(reason: string, policyHash?: string): PolicyOutcome {
  return {
    requireApproval: true,
    deny: false,
    degraded: true,
    reason,
    ...(policyHash ? { policyHash } : {}),
  };
}

/**
 * A compiled approval policy loaded into opa-wasm: loaded once per container, evaluated per decision
 * (microseconds). Its SHA-256 identifies exactly which policy decided, for the audit trail.
 */
export class ApprovalPolicy {
  private constructor(
    private readonly loaded: LoadedPolicy,
    readonly hash: string,
    readonly source: string,
  ) {}

  static async load(wasm: Buffer, source: string): Promise<ApprovalPolicy> {
    const loaded = await loadPolicy(wasm);
    if (!Object.keys(loaded.entrypoints as Record<string, number>).includes(APPROVAL_ENTRYPOINT)) {
      throw new Error(
        `policy ${source} has no ${APPROVAL_ENTRYPOINT} entrypoint (build it with -e ${APPROVAL_ENTRYPOINT})`,
      );
    }
    return new ApprovalPolicy(loaded, sha256(wasm), source);
  }

  evaluate(input: PolicyInput): PolicyOutcome {
    let results: unknown;
    try {
      results = this.loaded.evaluate(input, APPROVAL_ENTRYPOINT);
    } catch (error) {
      return degraded(`policy evaluation failed: ${(error as Error).message}`, this.hash);
    }
    const first = Array.isArray(results)
      ? (results[0] as { result?: unknown } | undefined)?.result
      : undefined;
    const parsed = Output.safeParse(first);
    if (!parsed.success) {
      return degraded(
        `policy result has the wrong shape: ${parsed.error.issues.map((i) => i.message).join("; ")}`,
        this.hash,
      );
    }
    const output = parsed.data;
    return {
      requireApproval: output.require_approval,
      deny: output.deny ?? false,
      degraded: false,
      reason:
        output.reason ??
        (output.require_approval ? "the policy requires approval" : "the policy auto-approves"),
      ...(output.required_by ? { requiredBy: output.required_by } : {}),
      policyHash: this.hash,
    };
  }
}

/** Any compiled Rego module evaluated through one entrypoint; its first result, as Rego returned it. */
export class RegoModule {
  private constructor(
    private readonly loaded: LoadedPolicy,
    private readonly entrypoint: string,
    readonly hash: string,
    readonly source: string,
  ) {}

  /** Loads a module exposing the first of `entrypoints` it has (a policy may come in more than one format). */
  static async load(
    wasm: Buffer,
    source: string,
    entrypoints: string | readonly string[],
  ): Promise<RegoModule> {
    const loaded = await loadPolicy(wasm);
    const wanted = [entrypoints].flat();
    const entrypoint = wanted.find((e) =>
      Object.keys(loaded.entrypoints as Record<string, number>).includes(e),
    );
    if (!entrypoint) {
      throw new Error(
        `policy ${source} has none of the entrypoints ${wanted.join(", ")} (build it with -e ${wanted[0]})`,
      );
    }
    return new RegoModule(loaded, entrypoint, sha256(wasm), source);
  }

  /** Which entrypoint this module evaluates (it tells the policy's format). */
  get format(): string {
    return this.entrypoint;
  }

  evaluate(input: unknown): unknown {
    const results = this.loaded.evaluate(input, this.entrypoint);
    return Array.isArray(results) ? (results[0] as { result?: unknown } | undefined)?.result : undefined;
  }
}
