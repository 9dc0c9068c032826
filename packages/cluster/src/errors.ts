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
      | "RequestRejected"
      | "JobFailed",
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

/** How a person names an object: `Deployment shop/checkout`, `Node worker-1`. */
export function describeObject(ref: { kind: string; name: string; namespace?: string | undefined }): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}

/** How a person names a cluster: the alert's `cluster` label, or the default connection. */
export function describeCluster(cluster: string | undefined): string {
  return cluster ? `cluster ${cluster}` : "the default cluster";
}

const NETWORK_FAULTS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "EPIPE",
  "UND_ERR_SOCKET",
]);

/** Whether a Kubernetes call may succeed if repeated: throttling, a server fault, a broken connection. */
export function isTransientKubernetesError(error: unknown): boolean {
  const code = statusCode(error);
  if (code !== undefined) return code === 429 || code >= 500;
  const cause = (error as { cause?: { code?: string } }).cause?.code;
  const own = (error as { code?: unknown }).code;
  return NETWORK_FAULTS.has(String(cause ?? own ?? ""));
}

/**
 * A Kubernetes API failure as a person reads it — the object, the cluster and the problem in words —
 * never client-node's dump (`HTTP-Code: 404 Message: Unknown API Status Code! Body: … Headers: …`),
 * which used to reach reasons, the console and Critical notifications.
 */
export function kubernetesErrorMessage(
  error: unknown,
  ref?: { kind: string; name: string; namespace?: string | undefined },
  cluster?: string,
): string {
  const what = ref ? describeObject(ref) : "the object";
  const where = describeCluster(cluster);
  const code = statusCode(error);
  if (code === undefined) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (error as Error).message;
    return `${where} could not be reached (${detail}) while reading ${what}`;
  }
  const message = statusMessage(error);
  const detail = message.startsWith("HTTP-Code:") ? "" : `: ${message}`;
  switch (code) {
    case 404:
      return `${what} not found in ${where}`;
    case 403:
      return `reading ${what} in ${where} is forbidden${detail} (see deploy/rbac.yaml)`;
    case 401:
      return `${where} refused the credentials (401) while reading ${what}`;
    default:
      return `${where} answered ${code} while reading ${what}${detail}`;
  }
}

/** A read of a Kubernetes object that failed, with a message a person can act on and its status. */
export class KubernetesReadError extends Error {
  constructor(
    readonly status: number | undefined,
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = status === 404 ? "TargetNotFound" : "KubernetesReadError";
  }

  static of(error: unknown, ref: { kind: string; name: string; namespace?: string }, cluster?: string) {
    return new KubernetesReadError(
      statusCode(error),
      kubernetesErrorMessage(error, ref, cluster),
      isTransientKubernetesError(error),
    );
  }
}
