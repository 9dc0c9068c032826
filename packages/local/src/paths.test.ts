import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, parseConfig, watchedConfig } from "@kubernaut/config";
import { describe, expect, it } from "vitest";
import { localConfigCheck } from "./paths";

const REPO_ROOT = join(import.meta.dirname, "..", "..", "..");

describe("the local loop's checks of the paths a config names", () => {
  const check = localConfigCheck(REPO_ROOT, {});
  it.each([
    [{}, []],
    [{ aianalysis: { rego: { policy: "packages/policy/policies/approval/starter.rego" } } }, []],
    [
      // The path the shipped config's comment used to give.
      { aianalysis: { rego: { policy: "packages/policy/policies/starter.rego" } } },
      [
        expect.stringMatching(
          /^aianalysis\.rego\.policy: packages\/policy\/policies\/starter\.rego does not exist \(resolved to .*\); did you mean packages\/policy\/policies\/approval\/starter\.rego\?$/,
        ),
      ],
    ],
    [
      { aianalysis: { rego: { policy: "policies/mine.rego" } } },
      [
        expect.stringMatching(
          /^aianalysis\.rego\.policy: policies\/mine\.rego does not exist .*; shipped approval policies: packages\/policy\/policies\/approval\/starter\.rego, /,
        ),
      ],
    ],
    [
      { aianalysis: { rego: { policy: "kubernaut.config.yaml" } } },
      [
        "aianalysis.rego.policy: kubernaut.config.yaml is neither a Rego source (.rego) nor a compiled policy (.wasm)",
      ],
    ],
    [
      { signalProcessing: { classificationPolicy: "nope.rego" } },
      [expect.stringMatching(/^signalProcessing\.classificationPolicy: nope\.rego does not exist/)],
    ],
    [
      { cluster: { scenario: "scenarios/mine.yaml" } },
      [expect.stringMatching(/^cluster\.scenario: scenarios\/mine\.yaml does not exist/)],
    ],
    [
      { cluster: { kubeconfig: "no-such-kubeconfig" } },
      [expect.stringMatching(/^cluster\.kubeconfig: no-such-kubeconfig does not exist/)],
    ],
  ])("%j → %j", (document, problems) => {
    expect(check(parseConfig(document))).toEqual(problems);
  });

  it("fails start-up naming the key, and on a reload keeps the last good config and says why", () => {
    const dir = mkdtempSync(join(tmpdir(), "kubernaut-paths-"));
    const file = join(dir, "kubernaut.config.yaml");
    writeFileSync(file, "aianalysis:\n  rego:\n    policy: missing.rego\n");
    const start = () => watchedConfig({}, dir, () => undefined, localConfigCheck(dir, {}));
    expect(start).toThrow(ConfigError);
    expect(start).toThrow(/aianalysis\.rego\.policy: missing\.rego does not exist/);

    writeFileSync(join(dir, "mine.rego"), "package aianalysis.approval\n");
    writeFileSync(file, "aianalysis:\n  rego:\n    policy: mine.rego\n");
    const refused: unknown[] = [];
    const config = watchedConfig({}, dir, (error) => refused.push(error), localConfigCheck(dir, {}));
    expect(config().aianalysis.rego.policy).toBe("mine.rego");
    // An edit that names a file that is not there: refused, the last good config stays in force.
    writeFileSync(file, "aianalysis:\n  rego:\n    policy: typo.rego\n# changed\n");
    expect(config().aianalysis.rego.policy).toBe("mine.rego");
    expect(String(refused[0])).toMatch(/aianalysis\.rego\.policy: typo\.rego does not exist/);
  });
});
