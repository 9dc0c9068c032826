import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "@kubernaut/config";
import { describe, expect, it } from "vitest";
import { ClusterAccess } from "./access";
import { ClusterDirectory } from "./directory";
import { kubeConfigFor } from "./kubeconfig";

const kubeconfig = (server: string) => {
  const path = join(mkdtempSync(join(tmpdir(), "kubeconfig-")), "config");
  writeFileSync(
    path,
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${server}"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
  );
  return path;
};

describe("ClusterDirectory", () => {
  it("picks a named cluster by the alert's cluster label and falls back to the default", () => {
    const config = parseConfig({
      clusters: { "prod-eu": { kubeconfig: kubeconfig("https://prod-eu.example:6443") } },
    });
    const fallback = new ClusterAccess(kubeConfigFor({ server: "http://127.0.0.1:1" }));
    const directory = new ClusterDirectory(() => config, fallback);
    expect(directory.access(undefined)).toBe(fallback);
    expect(directory.access("unknown")).toBe(fallback);
    const named = directory.access("prod-eu");
    expect(named).not.toBe(fallback);
    expect(directory.access("prod-eu")).toBe(named);
  });

  it("refuses to hand out an EKS cluster before its token is minted", () => {
    const config = parseConfig({
      cluster: {
        eks: {
          name: "prod",
          region: "eu-west-1",
          endpoint: "https://x.eks.amazonaws.com",
          certificateAuthorityData: "Y2E=",
        },
      },
    });
    expect(() => new ClusterDirectory(() => config).access(undefined)).toThrow(/needs an async token/);
  });
});
