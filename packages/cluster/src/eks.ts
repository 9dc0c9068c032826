import { KubeConfig } from "@kubernetes/client-node";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** EKS tokens are valid for 15 minutes; a cached one is renewed a few minutes before that. */
export const EKS_TOKEN_TTL_MS = 10 * 60_000;

/**
 * An EKS bearer token, the format `aws eks get-token` produces: `k8s-aws-v1.` followed by the
 * unpadded base64url of an STS GetCallerIdentity URL presigned for 60 s, with the cluster name signed
 * in the `x-k8s-aws-id` header. The cluster's authenticator replays the URL against STS to learn the
 * caller's IAM identity, so the function's IAM role is its Kubernetes identity (mapped by access
 * entries or aws-auth); no long-lived secret is stored.
 */
export async function eksToken(options: {
  clusterName: string;
  region: string;
  credentials: AwsCredentials;
  now?: Date;
}): Promise<string> {
  const host = `sts.${options.region}.amazonaws.com`;
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: "sts",
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: true,
  });
  const signed = await signer.presign(
    {
      method: "GET",
      protocol: "https:",
      hostname: host,
      path: "/",
      query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
      headers: { host, "x-k8s-aws-id": options.clusterName },
    },
    {
      expiresIn: 60,
      ...(options.now ? { signingDate: options.now } : {}),
      // The cluster name must stay a signed header, not be hoisted into the query string.
      unhoistableHeaders: new Set(["x-k8s-aws-id"]),
    },
  );
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join("&");
  const url = `https://${host}/?${query}`;
  return `k8s-aws-v1.${Buffer.from(url).toString("base64url")}`;
}

/** A KubeConfig for an EKS cluster authenticated with an IAM-signed token. */
export function eksKubeConfig(
  cluster: { name: string; endpoint: string; certificateAuthorityData: string },
  token: string,
): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: cluster.name,
        server: cluster.endpoint,
        caData: cluster.certificateAuthorityData,
        skipTLSVerify: false,
      },
    ],
    users: [{ name: "kubernaut", token }],
    contexts: [{ name: cluster.name, cluster: cluster.name, user: "kubernaut" }],
    currentContext: cluster.name,
  });
  return kc;
}
