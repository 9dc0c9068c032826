import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sourcePath } from "@kubernaut/policy";
import { describe, expect, it } from "vitest";
import { type StartupReport, startupLines } from "./banner";
import { ensureOpaFor, needsOpa } from "./opa";

const base: StartupReport = {
  configFile: "/srv/k/kubernaut.config.yaml",
  policies: {
    approval: {},
    classification: {
      path: "/srv/k/packages/policy/policies/classification/default.rego",
      hash: "c".repeat(64),
    },
  },
  opa: { state: "notNeeded" },
  cluster: {
    source: "simulator",
    server: "http://127.0.0.1:40000",
    scenario: "/srv/k/scenarios/mine.yaml",
    kubeconfig: "/srv/k/.kubernaut/kubeconfig",
  },
  trust: { headline: "Level 1 (observe): …", lines: [] },
};

describe("the npm start banner", () => {
  const line = (report: StartupReport, key: string) =>
    startupLines(report, "http://127.0.0.1:8787", "/srv/k").find((l) => l.startsWith(`  ${key}`));

  it.each<[string, Partial<StartupReport>, string, string]>([
    ["defaults", { configFile: undefined }, "config", "every default applies"],
    [
      "no approval policy",
      {},
      "approval policy",
      "none configured (aianalysis.rego.policy): every remediation that is not dry-run asks for approval",
    ],
    [
      "a policy in force",
      {
        policies: { ...base.policies, approval: { path: "/srv/k/policies/mine.rego", hash: "a".repeat(64) } },
      },
      "approval policy",
      `policies/mine.rego  sha256 ${"a".repeat(12)}`,
    ],
    [
      "a broken policy",
      {
        policies: {
          ...base.policies,
          approval: {
            path: "/srv/k/mine.rego",
            error: "policy /srv/k/mine.rego does not compile: /srv/k/mine.rego:3: rego_parse_error",
          },
        },
      },
      "approval policy",
      "mine.rego  UNUSABLE: policy /srv/k/mine.rego does not compile: /srv/k/mine.rego:3: rego_parse_error",
    ],
    [
      "no OPA CLI for a custom policy",
      {
        opa: {
          state: "missing",
          advice: "mine.rego needs the OPA CLI v1.22.3: install Go 1.24+ and run npm run setup:opa",
        },
      },
      "OPA CLI",
      "mine.rego needs the OPA CLI v1.22.3: install Go 1.24+ and run npm run setup:opa",
    ],
    ["the simulator", {}, "cluster", "simulator at http://127.0.0.1:40000, scenario scenarios/mine.yaml"],
    [
      "a real cluster",
      {
        cluster: {
          source: "kubeconfig",
          server: "https://10.0.0.1:6443",
          kubeconfig: "/home/me/.kube/config",
          context: "prod",
        },
      },
      "kubectl",
      "kubectl --kubeconfig /home/me/.kube/config get deploy -A",
    ],
  ])("%s", (_case, change, key, text) => {
    expect(line({ ...base, ...change }, key)).toContain(text);
  });
});

describe("the OPA CLI for configured policies", () => {
  it("is not needed for the shipped policies (their wasm is committed) nor for a .wasm", async () => {
    expect(needsOpa(sourcePath("starter"))).toBe(false);
    expect(needsOpa("/x/policy.wasm")).toBe(false);
    expect(await ensureOpaFor([sourcePath("starter"), sourcePath("classification")])).toEqual({
      state: "notNeeded",
    });
  });

  it("is needed for a custom .rego", () => {
    const path = join(mkdtempSync(join(tmpdir(), "kubernaut-opa-")), "mine.rego");
    writeFileSync(path, "package aianalysis.approval\nrequire_approval := true\n");
    expect(needsOpa(path)).toBe(true);
  });
});
