import { request } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { z } from "zod";

/** A Kubernetes Status as the API returns it with an error. */
const Status = z.object({ message: z.string().optional(), reason: z.string().optional() }).passthrough();

/** kube-apiserver refused a request; carries the HTTP code and the server's own message. */
export class ApiRequestError extends Error {
  override readonly name = "ApiRequestError";
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const Discovery = z.object({
  resources: z.array(z.object({ name: z.string(), kind: z.string(), namespaced: z.boolean() })),
});

export interface ResourcePath {
  plural: string;
  namespaced: boolean;
}

/**
 * Raw JSON requests through a kubeconfig's credentials. The scenario loader sends manifests exactly as
 * written (client-node's typed serializers drop fields they do not know, which would hide a manifest's
 * mistakes from the server's validation).
 */
export class RawApi {
  private readonly discovery = new Map<string, Promise<Map<string, ResourcePath>>>();
  private readonly server: string;

  constructor(private readonly kubeConfig: KubeConfig) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error("the kubeconfig has no current cluster");
    this.server = cluster.server;
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<{ status: number; json: unknown }> {
    const url = new URL(path, this.server);
    const options: import("node:https").RequestOptions = { method, headers: {} };
    await this.kubeConfig.applyToHTTPSOptions(options);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          ...options,
          headers: {
            ...options.headers,
            accept: "application/json",
            ...(payload ? { "content-type": contentType, "content-length": Buffer.byteLength(payload) } : {}),
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let json: unknown = text;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              // Not JSON (e.g. a plain-text error): keep the text.
            }
            resolve({ status: res.statusCode ?? 0, json });
          });
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on("error", reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  /** Like {@link request}, but a status ≥ 300 throws an {@link ApiRequestError} with the server's message. */
  async call(method: string, path: string, body?: unknown, contentType?: string): Promise<unknown> {
    const { status, json } = await this.request(method, path, body, contentType);
    if (status < 300) return json;
    const parsed = Status.safeParse(json);
    const message = parsed.success ? (parsed.data.message ?? JSON.stringify(json)) : String(json);
    throw new ApiRequestError(status, parsed.success ? (parsed.data.reason ?? "") : "", message);
  }

  /** The plural and scope of a kind in an apiVersion, from the server's discovery document. */
  async resource(apiVersion: string, kind: string): Promise<ResourcePath> {
    let resources = this.discovery.get(apiVersion);
    if (!resources) {
      resources = this.call(
        "GET",
        apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`,
      ).then(
        (json) =>
          new Map(
            Discovery.parse(json)
              .resources.filter((r) => !r.name.includes("/"))
              .map((r) => [r.kind, { plural: r.name, namespaced: r.namespaced }]),
          ),
      );
      this.discovery.set(apiVersion, resources);
      resources.catch(() => this.discovery.delete(apiVersion));
    }
    const found = (await resources).get(kind);
    if (!found) throw new ApiRequestError(404, "NotFound", `the server has no kind ${kind} in ${apiVersion}`);
    return found;
  }

  /** The collection path of a kind (`/apis/apps/v1/namespaces/x/deployments`). */
  async collectionPath(apiVersion: string, kind: string, namespace: string | undefined): Promise<string> {
    const { plural, namespaced } = await this.resource(apiVersion, kind);
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return namespaced ? `${base}/namespaces/${namespace ?? "default"}/${plural}` : `${base}/${plural}`;
  }
}
