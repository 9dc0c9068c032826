import { readFileSync, statSync } from "node:fs";
import { logger, metrics } from "@kubernaut/telemetry";
import { APPROVAL_ENTRYPOINT, compileRego } from "./build";
import { ApprovalPolicy, degraded, type PolicyOutcome, RegoModule } from "./evaluate";
import type { PolicyInput } from "./input";
import { committedWasmFor } from "./shipped";

/** The port the pipeline and the approvals API use; it never throws, it degrades. */
export interface PolicyEngine {
  evaluate(input: PolicyInput): Promise<PolicyOutcome>;
  /** Which policy is in force, for people (`npm start`, the console); absent on test doubles. */
  describe?(): Promise<PolicyStatus>;
}

/**
 * The policy in force as an operator asks about it: the configured file (absent: none configured),
 * the hash and load time of the version in use, and why the file on disk is refused, if it is.
 */
export interface PolicyStatus {
  path?: string;
  hash?: string;
  loadedAt?: string;
  error?: string;
}

/** The reason every decision carries when no approval policy is configured (not a broken one). */
export const NO_POLICY_REASON = "no approval policy configured: every remediation requires approval";

/**
 * A Rego file (`.rego`, or compiled `.wasm`) loaded into opa-wasm and re-checked at most every
 * `checkEveryMs`: a changed file applies to the next evaluation without a restart. A broken new
 * version is refused (logged, counted) and the last good one kept.
 */
export class WatchedRego<T extends { hash: string; source: string }> {
  private current: T | undefined;
  private loadedAt: string | undefined;
  private lastError: string | undefined;
  private stamp = "";
  private checkedAt = 0;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly path: () => string | undefined,
    /** The entrypoint to compile Rego with; a function when it depends on the file (its package). */
    private readonly entrypoint: string | ((path: string) => string),
    private readonly load: (wasm: Buffer, source: string) => Promise<T>,
    private readonly checkEveryMs = 2_000,
  ) {}

  private entrypointOf(path: string): string {
    return typeof this.entrypoint === "function" ? this.entrypoint(path) : this.entrypoint;
  }

  /** The loaded module for the configured path, or why there is none. */
  async module(): Promise<{ module?: T; path?: string; error?: string }> {
    const path = this.path();
    if (!path) return {};
    const now = Date.now();
    if (!(this.current && this.current.source === path && now - this.checkedAt < this.checkEveryMs)) {
      this.loading ??= this.reload(path).finally(() => {
        this.loading = undefined;
      });
      await this.loading;
    }
    return {
      path,
      ...(this.current ? { module: this.current } : {}),
      ...(this.lastError ? { error: this.lastError } : {}),
    };
  }

  status(): { hash?: string; lastError?: string } {
    return {
      ...(this.current ? { hash: this.current.hash } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  /** Loads (or re-checks) the configured file and says which version is in force. */
  async describe(): Promise<PolicyStatus> {
    const { module, path, error } = await this.module();
    return {
      ...(path ? { path } : {}),
      ...(module ? { hash: module.hash } : {}),
      ...(module && this.loadedAt ? { loadedAt: this.loadedAt } : {}),
      ...(error ? { error } : {}),
    };
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
        : (committedWasmFor(path) ?? (await compileRego(path, this.entrypointOf(path))));
      const next = await this.load(wasm, path);
      if (this.current?.hash !== next.hash) logger.info("policy loaded", { path, hash: next.hash });
      if (this.current?.hash !== next.hash || this.current?.source !== next.source)
        this.loadedAt = new Date().toISOString();
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
      "Rego policies refused at load (the last good one stays)",
      { entrypoint: typeof this.entrypoint === "string" ? this.entrypoint : "by-package" },
    );
    logger.error(this.current ? "new policy refused; keeping the last good one" : "policy unusable", {
      path,
      reason,
      keeping: this.current?.hash,
    });
  }
}

/**
 * The approval policy from a local file: no policy configured, or none usable, means every decision is
 * approval-required and `degraded` (DESIGN §3.5).
 */
export class FilePolicyStore implements PolicyEngine {
  private readonly watched: WatchedRego<ApprovalPolicy>;

  constructor(path: () => string | undefined, checkEveryMs = 2_000) {
    this.watched = new WatchedRego(
      path,
      APPROVAL_ENTRYPOINT,
      (wasm, source) => ApprovalPolicy.load(wasm, source),
      checkEveryMs,
    );
  }

  async evaluate(input: PolicyInput): Promise<PolicyOutcome> {
    const { module, path, error } = await this.watched.module();
    if (!path) return count(degraded(NO_POLICY_REASON));
    if (!module) return count(degraded(`policy ${path} is unusable: ${error ?? "not loaded"}`));
    return count(module.evaluate(input));
  }

  status(): { hash?: string; lastError?: string } {
    return this.watched.status();
  }

  describe(): Promise<PolicyStatus> {
    return this.watched.describe();
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

export { RegoModule };
