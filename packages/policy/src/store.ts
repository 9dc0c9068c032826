import { readFileSync, statSync } from "node:fs";
import { logger, metrics } from "@kubernaut/telemetry";
import { compileRego } from "./build";
import { ApprovalPolicy, degraded, type PolicyOutcome } from "./evaluate";
import type { PolicyInput } from "./input";
import { committedWasmFor } from "./shipped";

/** The port the pipeline and the approvals API use; it never throws, it degrades. */
export interface PolicyEngine {
  evaluate(input: PolicyInput): Promise<PolicyOutcome>;
}

/**
 * The approval policy from a local file (`.rego` or compiled `.wasm`), re-checked at most every
 * `checkEveryMs`: a changed file applies to the next decision without a restart. A broken new policy is
 * refused and the last good one kept (and the refusal logged and counted); with no good policy at all,
 * every decision is approval-required and `degraded`.
 */
export class FilePolicyStore implements PolicyEngine {
  private current: ApprovalPolicy | undefined;
  private lastError: string | undefined;
  private stamp = "";
  private checkedAt = 0;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly path: () => string | undefined,
    private readonly checkEveryMs = 2_000,
  ) {}

  async evaluate(input: PolicyInput): Promise<PolicyOutcome> {
    const path = this.path();
    if (!path) return count(degraded("no approval policy configured: every remediation requires approval"));
    await this.refresh(path);
    if (!this.current)
      return count(degraded(`policy ${path} is unusable: ${this.lastError ?? "not loaded"}`));
    return count(this.current.evaluate(input));
  }

  /** The loaded policy's hash and the last refusal, for status pages and tests. */
  status(): { hash?: string; lastError?: string } {
    return {
      ...(this.current ? { hash: this.current.hash } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  private async refresh(path: string): Promise<void> {
    const now = Date.now();
    if (this.current && this.current.source === path && now - this.checkedAt < this.checkEveryMs) return;
    this.loading ??= this.reload(path).finally(() => {
      this.loading = undefined;
    });
    await this.loading;
  }

  private async reload(path: string): Promise<void> {
    this.checkedAt = Date.now();
    let stamp: string;
    try {
      const stat = statSync(path);
      stamp = `${path}:${stat.mtimeMs}:${stat.size}`;
    } catch {
      this.refuse(path, "the file does not exist");
      return;
    }
    if (stamp === this.stamp && this.current) return;
    this.stamp = stamp;
    try {
      const wasm = path.endsWith(".wasm")
        ? readFileSync(path)
        : (committedWasmFor(path) ?? (await compileRego(path)));
      const next = await ApprovalPolicy.load(wasm, path);
      if (this.current?.hash !== next.hash) logger.info("approval policy loaded", { path, hash: next.hash });
      this.current = next;
      this.lastError = undefined;
    } catch (error) {
      this.refuse(path, (error as Error).message);
    }
  }

  private refuse(path: string, reason: string): void {
    this.lastError = reason;
    metrics.inc(
      "kubernaut_policy_load_failures_total",
      "Approval policies refused at load (the last good one stays)",
    );
    logger.error(
      this.current ? "new approval policy refused; keeping the last good one" : "approval policy unusable",
      {
        path,
        reason,
        keeping: this.current?.hash,
      },
    );
  }
}

function count(outcome: PolicyOutcome): PolicyOutcome {
  const result = outcome.degraded
    ? "degraded"
    : outcome.deny
      ? "denied"
      : outcome.requireApproval
        ? "approval_required"
        : "auto_approved";
  metrics.inc("kubernaut_aianalysis_policy_evaluations_total", "Approval policy evaluations by result", {
    result,
  });
  return outcome;
}
