import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import type { ClusterConnection, Config } from "@kubernaut/config";
import { ClusterAccess } from "./access";
import { EKS_TOKEN_TTL_MS, eksKubeConfig, eksToken } from "./eks";
import { kubeConfigFor } from "./kubeconfig";

/**
 * The managed clusters by name (the alert's `cluster` label): a kubeconfig (file and context) or an EKS
 * cluster reached with the function's IAM role, whose token is renewed before it expires. An alert
 * without a cluster label, or naming one not configured, uses the default `cluster` entry.
 */
export class ClusterDirectory {
  private readonly cache = new Map<string, { access: ClusterAccess; renewAt: number }>();

  constructor(
    private readonly config: () => Config,
    private readonly fallback?: ClusterAccess,
  ) {}

  access(cluster: string | undefined): ClusterAccess {
    const config = this.config();
    const named = cluster ? config.clusters[cluster] : undefined;
    const connection: ClusterConnection = named ?? config.cluster;
    const key = named ? `named:${cluster}` : "default";
    const cached = this.cache.get(key);
    if (cached && Date.now() < cached.renewAt) return cached.access;
    if (!named && this.fallback && !connection.kubeconfig && !connection.eks) return this.fallback;
    if (connection.eks)
      throw new Error(`EKS cluster ${connection.eks.name} needs an async token: call prepare() first`);
    const access = new ClusterAccess(
      kubeConfigFor({
        ...(connection.kubeconfig ? { kubeconfig: connection.kubeconfig } : {}),
        ...(connection.context ? { context: connection.context } : {}),
      }),
    );
    this.cache.set(key, { access, renewAt: Number.POSITIVE_INFINITY });
    return access;
  }

  /** Mints (or renews) EKS tokens ahead of use; tasks call it once per invocation. */
  async prepare(cluster: string | undefined): Promise<void> {
    const config = this.config();
    const named = cluster ? config.clusters[cluster] : undefined;
    const eks = (named ?? config.cluster).eks;
    if (!eks) return;
    const key = named ? `named:${cluster}` : "default";
    const cached = this.cache.get(key);
    if (cached && Date.now() < cached.renewAt) return;
    const credentials = await fromNodeProviderChain()();
    const token = await eksToken({ clusterName: eks.name, region: eks.region, credentials });
    this.cache.set(key, {
      access: new ClusterAccess(eksKubeConfig(eks, token)),
      renewAt: Date.now() + EKS_TOKEN_TTL_MS,
    });
  }
}
