/** Why an execution could not do its work; the name is what the state machine and the audit record. */
export class ExecutionError extends Error {
  constructor(
    name:
      | "ExecutionForbidden"
      | "TargetNotFound"
      | "GitOpsManaged"
      | "DisruptionBudgetViolated"
      | "ClusterUnavailable"
      | "PreconditionFailed"
      | "RequestRejected",
    message: string,
  ) {
    super(message);
    this.name = name;
  }
}

interface ApiErrorShape {
  code?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The Kubernetes Status message of a client-node ApiException (its body is the Status JSON). */
export function statusMessage(error: unknown): string {
  const body = (error as ApiErrorShape).body;
  try {
    const status = (typeof body === "string" ? JSON.parse(body) : body) as { message?: string } | undefined;
    return status?.message ?? (error as Error).message;
  } catch {
    return String(body ?? (error as Error).message);
  }
}

export function statusCode(error: unknown): number | undefined {
  const code = (error as ApiErrorShape).code;
  return typeof code === "number" ? code : undefined;
}

export function retryAfterMs(error: unknown): number {
  const headers = (error as ApiErrorShape).headers ?? {};
  const value = Number(headers["retry-after"] ?? headers["Retry-After"]);
  return Number.isFinite(value) && value > 0 ? Math.min(value, 30) * 1000 : 500;
}

/**
 * Runs a Kubernetes call with the retries a controller would use: 409 (and a concurrent write the
 * executors recognised, see ConcurrentWriteError) → re-read and re-apply (the caller's `attempt` reads
 * fresh state each time), 429 and 5xx → back off (honouring Retry-After), 403 → fail naming the missing
 * permission, 404 → fail naming the object, any other refusal (400, 422 …) → fail naming the object and
 * the server's reason. Never retries forever.
 */
export async function withKubernetesRetries<T>(
  what: string,
  attempt: () => Promise<T>,
  options: { attempts?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<T> {
  const attempts = options.attempts ?? 6;
  const sleep = options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      // Our own verdicts (a PDB in the way, a refused target) are final, not transport trouble.
      if (error instanceof ExecutionError) throw error;
      const code = statusCode(error);
      if (code === 403) throw new ExecutionError("ExecutionForbidden", `${what}: ${statusMessage(error)}`);
      if (code === 404) throw new ExecutionError("TargetNotFound", `${what}: ${statusMessage(error)}`);
      const retryable =
        code === 409 || code === 429 || (code !== undefined && code >= 500) || code === undefined;
      if (!retryable || i >= attempts) {
        if (code === undefined || code >= 500 || code === 429) {
          throw new ExecutionError(
            "ClusterUnavailable",
            `${what}: ${statusMessage(error)} (after ${i} attempts)`,
          );
        }
        throw new ExecutionError(
          "RequestRejected",
          `${what}: the API server refused it with ${code}: ${statusMessage(error)}${i > 1 ? ` (after ${i} attempts)` : ""}`,
        );
      }
      await sleep(code === 409 ? 0 : code === 429 ? retryAfterMs(error) : Math.min(200 * 2 ** i, 5_000));
    }
  }
}
