import { apiTarget, call, option, positional } from "./http";

interface IntakeView {
  intakeId: string;
  state: "Received" | "Interpreting" | "Submitted" | "Failed";
  remediationId: string | null;
  failure?: string;
  signal?: { alertName: string; labels: Record<string, string> };
  ingest?: { status: string; reason?: string };
}

const FINAL = new Set(["Submitted", "Failed"]);

/**
 * `kubernaut report TEXT` and `kubernaut intake show ID`: natural-language intake from a terminal. With
 * --wait the command follows the request until the model has turned it into a signal (or failed),
 * printing each state as it is reached, and exits non-zero when it failed.
 */
export async function reportCommand(args: string[], out: (line: string) => void): Promise<number> {
  const [text] = positional(args);
  if (!text)
    throw new Error('usage: kubernaut report "TEXT" [--cluster NAME] [--key IDEMPOTENCY-KEY] [--wait]');
  const target = apiTarget(args);
  const cluster = option(args, "--cluster");
  const key = option(args, "--key");
  const accepted = await call<IntakeView>(
    target,
    "POST",
    "/api/v1/signals/text",
    { text, ...(cluster ? { cluster } : {}) },
    key ? { "idempotency-key": key } : {},
  );
  out(`${accepted.intakeId}  ${accepted.state}`);
  if (!args.includes("--wait")) return 0;
  return follow(target, accepted, out, Number(option(args, "--timeout") ?? 300) * 1000);
}

export async function intakeCommand(args: string[], out: (line: string) => void): Promise<number> {
  const [sub, id] = positional(args);
  if (sub !== "show" || !id) throw new Error("usage: kubernaut intake show ID");
  const view = await call<IntakeView>(apiTarget(args), "GET", `/api/v1/intake/${encodeURIComponent(id)}`);
  describe(view, out);
  return view.state === "Failed" ? 1 : 0;
}

async function follow(
  target: ReturnType<typeof apiTarget>,
  first: IntakeView,
  out: (line: string) => void,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let view = first;
  let last = first.state;
  while (!FINAL.has(view.state)) {
    if (Date.now() > deadline) {
      out(
        `still ${view.state} after ${timeoutMs / 1000} s; follow it with: kubernaut intake show ${view.intakeId}`,
      );
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
    view = await call<IntakeView>(target, "GET", `/api/v1/intake/${encodeURIComponent(view.intakeId)}`);
    if (view.state !== last) {
      last = view.state;
      if (!FINAL.has(view.state)) out(`${view.intakeId}  ${view.state}`);
    }
  }
  describe(view, out);
  return view.state === "Failed" ? 1 : 0;
}

function describe(view: IntakeView, out: (line: string) => void): void {
  if (view.state === "Failed") {
    out(`${view.intakeId}  Failed: ${view.failure ?? "no reason recorded"}`);
    return;
  }
  const labels = view.signal?.labels ?? {};
  const workload = Object.entries(labels)
    .filter(([k]) => ["deployment", "statefulset", "daemonset", "pod", "node"].includes(k))
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  out(
    `${view.intakeId}  ${view.state}${view.signal ? `: ${view.signal.alertName} on ${labels.namespace ? `${labels.namespace}/` : ""}${workload}` : ""}${view.remediationId ? ` → ${view.remediationId} (${view.ingest?.status})` : ""}`,
  );
}
