import { createServer, request as forward, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { REMEDIATION_ANNOTATION } from "@kubernaut/cluster";

/** A change the cluster accepted: a mutating request that the simulator answered with 2xx. */
export interface ClusterChange {
  method: string;
  path: string;
  status: number;
  /** The `kubernaut.ai/remediation-id` the write carried, if any. */
  remediationId?: string;
  at: number;
}

/**
 * A Kubernetes request that never gets its answer:
 * - `drop`: held for `afterMs`, then the connection is cut; the apiserver never saw it;
 * - `dropAfterApply`: forwarded (the change is applied), then the answer is lost after `afterMs` — the
 *   ambiguous timeout a retry must not turn into a second change;
 * - `hang`: never forwarded, never answered (until the proxy closes), as an apiserver that went away.
 */
export interface TimeoutRule {
  mode: "drop" | "dropAfterApply" | "hang";
  method?: string;
  times: number;
  afterMs: number;
}

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Finds the remediation annotation wherever a patch carries it (merge body or JSON-patch value). */
function remediationIdIn(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = remediationIdIn(item);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      if (key === REMEDIATION_ANNOTATION && typeof inner === "string") return inner;
      const found = remediationIdIn(inner);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * A loopback proxy in front of the cluster simulator: the product talks to the simulator through it.
 * It keeps the change log (every mutating request the cluster accepted, with the remediation that made
 * it — the evidence for "nothing executes twice") and injects timeouts, which the simulator's own
 * fault injection (409/429/5xx answers) cannot express.
 */
export async function startClusterProxy(upstream: string) {
  const target = new URL(upstream);
  const changes: ClusterChange[] = [];
  const timeouts: TimeoutRule[] = [];
  const dropped: Array<{ method: string; path: string; applied: boolean }> = [];

  const send = (request: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer }>((resolve, reject) => {
      const outgoing = forward(
        {
          host: target.hostname,
          port: target.port,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, host: target.host },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            resolve({
              status: response.statusCode ?? 502,
              headers: response.headers,
              body: Buffer.concat(chunks),
            }),
          );
          response.on("error", reject);
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });

  const record = (request: IncomingMessage, body: Buffer, status: number) => {
    const method = request.method ?? "GET";
    if (!MUTATING.has(method) || status < 200 || status >= 300) return;
    let parsed: unknown;
    try {
      parsed = body.length > 0 ? JSON.parse(body.toString("utf8")) : undefined;
    } catch {
      parsed = undefined;
    }
    const remediationId = remediationIdIn(parsed);
    changes.push({
      method,
      path: new URL(request.url ?? "/", "http://proxy").pathname,
      status,
      ...(remediationId ? { remediationId } : {}),
      at: Date.now(),
    });
  };

  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const rule = timeouts.find((r) => r.times > 0 && (!r.method || r.method === request.method));
    if (rule) {
      rule.times--;
      if (rule.mode === "hang") {
        dropped.push({ method: request.method ?? "GET", path: request.url ?? "/", applied: false });
        return;
      }
      let applied = false;
      if (rule.mode === "dropAfterApply") {
        const answer = await send(request, body);
        record(request, body, answer.status);
        applied = answer.status >= 200 && answer.status < 300;
      }
      await new Promise((resolve) => setTimeout(resolve, rule.afterMs));
      dropped.push({ method: request.method ?? "GET", path: request.url ?? "/", applied });
      request.socket.destroy();
      return;
    }
    try {
      const answer = await send(request, body);
      record(request, body, answer.status);
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
    } catch {
      request.socket.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    /** The change log: mutating requests the cluster accepted, in order. */
    changes,
    /** Requests whose connection was cut, and whether the cluster had applied them. */
    dropped,
    timeOut(rule: TimeoutRule) {
      timeouts.push({ ...rule });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type ClusterProxy = Awaited<ReturnType<typeof startClusterProxy>>;
