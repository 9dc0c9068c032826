import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fingerprintOf } from "./fingerprint";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

describe("fingerprintOf", () => {
  it.each([
    [{ kind: "Deployment", name: "api", namespace: "prod" }, "prod:Deployment:api"],
    [{ kind: "Deployment", name: "api", namespace: "prod", cluster: "eu-1" }, "eu-1:prod:Deployment:api"],
    [{ kind: "Node", name: "worker-1" }, ":Node:worker-1"],
  ])("%o hashes %s", (target, text) => {
    expect(fingerprintOf(target)).toBe(sha(text));
  });

  it("differs by cluster, so the same workload in two clusters is two problems", () => {
    const a = fingerprintOf({ kind: "Deployment", name: "api", namespace: "prod", cluster: "a" });
    const b = fingerprintOf({ kind: "Deployment", name: "api", namespace: "prod", cluster: "b" });
    expect(a).not.toBe(b);
  });
});
