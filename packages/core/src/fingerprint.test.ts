import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fingerprintOf, fingerprintText } from "./fingerprint";
import type { ResourceRef } from "./remediation";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

describe("fingerprintOf", () => {
  it.each([
    [{ kind: "Deployment", name: "api", namespace: "prod" }, "prod:Deployment:api"],
    [{ kind: "Deployment", name: "api", namespace: "prod", cluster: "eu-1" }, "eu-1:prod:Deployment:api"],
    [{ kind: "Node", name: "worker-1" }, ":Node:worker-1"],
    [{ kind: "Node", name: "worker-1", cluster: "eu-1" }, "eu-1::Node:worker-1"],
  ])("%o hashes %s (unchanged for names without a colon or percent sign)", (target, text) => {
    expect(fingerprintText(target)).toBe(text);
    expect(fingerprintOf(target)).toBe(sha(text));
  });

  it("differs by cluster, so the same workload in two clusters is two problems", () => {
    const a = fingerprintOf({ kind: "Deployment", name: "api", namespace: "prod", cluster: "a" });
    const b = fingerprintOf({ kind: "Deployment", name: "api", namespace: "prod", cluster: "b" });
    expect(a).not.toBe(b);
  });

  // Label values are not Kubernetes names: a `cluster` label may be an EKS ARN, full of ':'.
  it.each<[string, ResourceRef, ResourceRef]>([
    [
      "a ':' moved between cluster and namespace",
      { cluster: "a:b", namespace: "c", kind: "Deployment", name: "api" },
      { cluster: "a", namespace: "b:c", kind: "Deployment", name: "api" },
    ],
    [
      "a cluster versus a namespace that carries it",
      { cluster: "eu", namespace: "prod", kind: "Deployment", name: "api" },
      { namespace: "eu:prod", kind: "Deployment", name: "api" },
    ],
    [
      "a ':' moved between kind and name",
      { namespace: "prod", kind: "Deployment:api", name: "x" },
      { namespace: "prod", kind: "Deployment", name: "api:x" },
    ],
    [
      "an escape that looks like an encoded ':'",
      { cluster: "a%3Ab", namespace: "c", kind: "Deployment", name: "api" },
      { cluster: "a:b", namespace: "c", kind: "Deployment", name: "api" },
    ],
    [
      "an EKS ARN as the cluster",
      {
        cluster: "arn:aws:eks:eu-west-1:123456789012:cluster/prod",
        namespace: "shop",
        kind: "Deployment",
        name: "api",
      },
      {
        cluster: "arn:aws:eks:eu-west-1",
        namespace: "123456789012:cluster/prod:shop",
        kind: "Deployment",
        name: "api",
      },
    ],
  ])("two different targets never share a fingerprint: %s", (_case, a, b) => {
    expect(fingerprintText(a)).not.toBe(fingerprintText(b));
    expect(fingerprintOf(a)).not.toBe(fingerprintOf(b));
  });

  it("stays readable: a component with ':' or '%' is percent-encoded", () => {
    expect(
      fingerprintText({
        cluster: "arn:aws:eks:eu-west-1:123456789012:cluster/prod",
        namespace: "shop",
        kind: "Deployment",
        name: "api",
      }),
    ).toBe("arn%3Aaws%3Aeks%3Aeu-west-1%3A123456789012%3Acluster/prod:shop:Deployment:api");
  });
});
