import { describe, expect, it } from "vitest";
import { eksToken } from "./eks";

const credentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};
const now = new Date("2026-01-02T03:04:05Z");

describe("eksToken", () => {
  it("has the documented form: k8s-aws-v1. + base64url of a presigned STS GetCallerIdentity URL", async () => {
    const token = await eksToken({ clusterName: "prod-eu", region: "eu-west-1", credentials, now });
    expect(token).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+$/);
    const url = new URL(Buffer.from(token.slice("k8s-aws-v1.".length), "base64url").toString("utf8"));
    expect(url.origin).toBe("https://sts.eu-west-1.amazonaws.com");
    expect(url.pathname).toBe("/");
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      Action: "GetCallerIdentity",
      Version: "2011-06-15",
      "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
      "X-Amz-Credential": "AKIDEXAMPLE/20260102/eu-west-1/sts/aws4_request",
      "X-Amz-Date": "20260102T030405Z",
      "X-Amz-Expires": "60",
      "X-Amz-SignedHeaders": "host;x-k8s-aws-id",
    });
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    // The cluster name is signed as a header, never sent in the query.
    expect(url.searchParams.has("x-k8s-aws-id")).toBe(false);
  });

  it("is deterministic for the same inputs and bound to the cluster name", async () => {
    const a = await eksToken({ clusterName: "prod-eu", region: "eu-west-1", credentials, now });
    const b = await eksToken({ clusterName: "prod-eu", region: "eu-west-1", credentials, now });
    const other = await eksToken({ clusterName: "prod-us", region: "eu-west-1", credentials, now });
    expect(a).toBe(b);
    expect(other).not.toBe(a);
  });

  it("carries a session token when the credentials have one (a Lambda role's)", async () => {
    const token = await eksToken({
      clusterName: "c",
      region: "us-east-1",
      credentials: { ...credentials, sessionToken: "SESSION" },
      now,
    });
    const url = new URL(Buffer.from(token.slice(11), "base64url").toString("utf8"));
    expect(url.searchParams.get("X-Amz-Security-Token")).toBe("SESSION");
  });
});
