import { apiTarget, call, option, positional } from "./http";

interface Suggestion {
  id: string;
  remediationId: string;
  alertName: string;
  target: { kind: string; name: string; namespace?: string };
  summary: string;
  steps: Array<{ kind: string; description: string; actionType?: string }>;
  proposedActionType?: string;
  status: string;
  convertedTo?: { workflowId: string; by: string; at: string };
}

/**
 * `kubernaut suggestions`: the plans analysis left for unmatched alerts, and turning a reviewed one
 * into a workflow (registered at observe: it runs dry until graduated).
 */
export async function suggestionsCommand(args: string[], out: (line: string) => void): Promise<number> {
  const [sub, id] = positional(args);
  const target = apiTarget(args);
  switch (sub) {
    case "list": {
      const { items } = await call<{ items: Suggestion[] }>(target, "GET", "/api/v1/suggestions");
      if (items.length === 0) out("no suggestions");
      for (const s of items) {
        const where = `${s.target.kind}/${s.target.name}${s.target.namespace ? ` in ${s.target.namespace}` : ""}`;
        out(
          `${s.id}  ${s.status}${s.convertedTo ? ` → ${s.convertedTo.workflowId}` : ""}  ${s.alertName} on ${where}`,
        );
      }
      return 0;
    }
    case "show": {
      if (!id) throw new Error("usage: kubernaut suggestions show ID");
      const s = await call<Suggestion>(target, "GET", `/api/v1/suggestions/${encodeURIComponent(id)}`);
      out(`${s.id} (${s.status}) for ${s.remediationId}: ${s.summary}`);
      s.steps.forEach((step, i) => {
        out(
          `  ${i + 1}. [${step.kind}] ${step.description}${step.actionType ? ` (${step.actionType})` : ""}`,
        );
      });
      if (s.proposedActionType) out(`  proposed action type: ${s.proposedActionType}`);
      return 0;
    }
    case "convert": {
      const workflowId = option(args, "--workflow");
      const reason = option(args, "--reason");
      if (!id || !workflowId || !reason)
        throw new Error(
          "usage: kubernaut suggestions convert ID --workflow NAME-vN --reason TEXT [--action TYPE] [--param NAME=VALUE]...",
        );
      const actionType = option(args, "--action");
      const parameters = Object.fromEntries(params(args));
      const result = await call<{ workflow: { id: string; actionType: string }; trust: { level: string } }>(
        target,
        "POST",
        `/api/v1/suggestions/${encodeURIComponent(id)}/workflow`,
        {
          workflowId,
          reason,
          ...(actionType ? { actionType } : {}),
          ...(Object.keys(parameters).length ? { parameters } : {}),
        },
      );
      out(
        `registered ${result.workflow.id} (${result.workflow.actionType}) at trust level ${result.trust.level}`,
      );
      return 0;
    }
    default:
      throw new Error(
        "usage: kubernaut suggestions list | show ID | convert ID --workflow NAME-vN --reason TEXT",
      );
  }
}

/** `--param name=value`, repeatable; numbers and booleans keep their type. */
function params(args: string[]): Array<[string, string | number | boolean]> {
  const result: Array<[string, string | number | boolean]> = [];
  args.forEach((arg, i) => {
    if (arg !== "--param") return;
    const pair = args[i + 1] ?? "";
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new Error(`--param needs NAME=VALUE, got "${pair}"`);
    const raw = pair.slice(eq + 1);
    const value =
      raw === "true"
        ? true
        : raw === "false"
          ? false
          : raw !== "" && Number.isFinite(Number(raw))
            ? Number(raw)
            : raw;
    result.push([pair.slice(0, eq), value]);
  });
  return result;
}
