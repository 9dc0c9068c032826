import {
  describeMode,
  effectiveMode,
  initialLevel,
  ladderSummary,
  type RemediationRequest,
  TRUST_LEVELS,
  type TrustLevel,
} from "@kubernaut/core";
import { apiTarget, call, option, positional } from "./http";

interface Workflow {
  id: string;
  actionType: string;
  trust: {
    level: TrustLevel;
    namespaces: Record<string, TrustLevel>;
    changedBy?: string;
    changedAt?: string;
    reason?: string;
  };
}
interface Ladder {
  dryRun: boolean;
  newWorkflowsDryRun: boolean;
  approvalPolicy: string | null;
  paused: boolean;
}
interface Paused {
  paused: boolean;
  by?: string;
  at?: string;
  reason?: string;
}

/**
 * `kubernaut trust show | set`: where the ladder stands — the global dry-run switch, the approval
 * policy, the kill switch, and what actually happens to each workflow (per namespace too) — and
 * graduating or demoting a workflow, which is audited with the reason.
 */
export async function trustCommand(args: string[], out: (line: string) => void): Promise<number> {
  const [sub, workflowId, level] = positional(args);
  const api = apiTarget(args);
  switch (sub) {
    case "show": {
      const { items, ladder } = await call<{ items: Workflow[]; ladder: Ladder }>(
        api,
        "GET",
        "/api/v1/workflows",
      );
      // The API reports the configured policy; whether it compiles is on the console and in npm start's banner.
      const policy = { configured: ladder.approvalPolicy !== null, usable: ladder.approvalPolicy !== null };
      const summary = ladderSummary({
        dryRun: ladder.dryRun,
        workflows: items.map((w) => ({ id: w.id, level: w.trust.level, namespaces: w.trust.namespaces })),
        policy,
      });
      out(`trust: ${summary.headline}`);
      out(`  global dry-run (remediationOrchestrator.dryRun): ${ladder.dryRun ? "on" : "off"}`);
      out(`  approval policy (aianalysis.rego.policy): ${ladder.approvalPolicy ?? "none configured"}`);
      out(`  kill switch: ${ladder.paused ? "PAUSED: nothing executes" : "off"}`);
      out(`  new workflows start at: ${initialLevel(ladder)}`);
      for (const w of items) {
        out(
          `${w.id}  ${w.trust.level}: ${describeMode(effectiveMode(ladder.dryRun, w.trust.level, policy))}`,
        );
        for (const [namespace, nsLevel] of Object.entries(w.trust.namespaces))
          out(
            `    in ${namespace}: ${nsLevel}: ${describeMode(effectiveMode(ladder.dryRun, nsLevel, policy))}`,
          );
        if (w.trust.changedBy)
          out(
            `    changed by ${w.trust.changedBy} at ${w.trust.changedAt}${w.trust.reason ? `: ${w.trust.reason}` : ""}`,
          );
      }
      return 0;
    }
    case "set": {
      const reason = option(args, "--reason");
      const namespaces = args.flatMap((arg, i) =>
        arg === "--namespace" && args[i + 1] ? [args[i + 1] as string] : [],
      );
      if (!workflowId || !level || !TRUST_LEVELS.includes(level as TrustLevel) || !reason) {
        out("usage: kubernaut trust set WORKFLOW observe|approve|automate --reason TEXT [--namespace NS]...");
        return 2;
      }
      const before = (await call<{ items: Workflow[] }>(api, "GET", "/api/v1/workflows")).items.find(
        (w) => w.id === workflowId,
      );
      const after = await call<{
        workflowId: string;
        level: TrustLevel;
        namespaces: Record<string, TrustLevel>;
      }>(api, "PATCH", `/api/v1/workflows/${encodeURIComponent(workflowId)}/trust`, {
        level,
        reason,
        ...(namespaces.length ? { namespaces } : {}),
      });
      const was = namespaces.length
        ? (before?.trust.namespaces[namespaces[0] as string] ?? before?.trust.level)
        : before?.trust.level;
      const verb =
        was === undefined || was === level
          ? "set"
          : TRUST_LEVELS.indexOf(level as TrustLevel) > TRUST_LEVELS.indexOf(was)
            ? "graduated"
            : "demoted";
      out(
        `${after.workflowId} ${verb} to ${level}${namespaces.length ? ` in ${namespaces.join(", ")}` : ""}${was && was !== level ? ` (was ${was})` : ""}`,
      );
      return 0;
    }
    default:
      out(
        "usage: kubernaut trust show | set WORKFLOW observe|approve|automate --reason TEXT [--namespace NS]...",
      );
      return 2;
  }
}

/** `kubernaut pause --reason TEXT` / `kubernaut resume`: the kill switch, audited. */
export async function pauseCommand(
  command: "pause" | "resume",
  args: string[],
  out: (line: string) => void,
): Promise<number> {
  const api = apiTarget(args);
  if (command === "pause") {
    const reason = option(args, "--reason");
    if (!reason) {
      out("usage: kubernaut pause --reason TEXT (the reason is kept in the audit trail)");
      return 2;
    }
    const state = await call<Paused>(api, "PUT", "/api/v1/pause", { reason });
    out(
      `execution PAUSED by ${state.by} at ${state.at}: remediations reaching execution end Blocked (Paused)`,
    );
    return 0;
  }
  await call<Paused>(api, "DELETE", "/api/v1/pause");
  out("execution resumed");
  return 0;
}

/**
 * `kubernaut fingerprints release FP|REMEDIATION_ID --reason TEXT`: lets the next alert on a held
 * fingerprint (manual review, block, dry-run hold) start a remediation. A remediation id is accepted
 * for convenience: its fingerprint is released.
 */
export async function fingerprintsCommand(args: string[], out: (line: string) => void): Promise<number> {
  const [sub, ref] = positional(args);
  const reason = option(args, "--reason");
  if (sub !== "release" || !ref || !reason) {
    out("usage: kubernaut fingerprints release FINGERPRINT|REMEDIATION_ID --reason TEXT");
    return 2;
  }
  const api = apiTarget(args);
  const fingerprint = ref.startsWith("rr-")
    ? (
        await call<{ remediation: RemediationRequest }>(
          api,
          "GET",
          `/api/v1/remediations/${encodeURIComponent(ref)}`,
        )
      ).remediation.fingerprint
    : ref;
  const result = await call<{ fingerprint: string; released: string[] }>(
    api,
    "POST",
    `/api/v1/fingerprints/${encodeURIComponent(fingerprint)}/release`,
    { reason },
  );
  out(
    result.released.length
      ? `${result.fingerprint}: released ${result.released.join(", ")} hold(s); the next alert starts a remediation`
      : `${result.fingerprint}: nothing was held`,
  );
  return 0;
}
