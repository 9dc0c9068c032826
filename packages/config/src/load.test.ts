import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfig, sha256Hex } from "./load";

const REPO_ROOT = join(import.meta.dirname, "..", "..", "..");

function problemsOf(document: unknown, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(document, env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe("parseConfig", () => {
  it("defaults follow DESIGN §8 (dryRun absent means false, as in Kubernaut)", () => {
    const config = parseConfig({});
    expect(config.remediationOrchestrator.dryRun).toBe(false);
    expect(config.remediationOrchestrator.dryRunHoldPeriod).toBe(3_600_000);
    expect(config.aianalysis.rego.confidenceThreshold).toBe(0.8);
    expect(config.aianalysis.lowConfidenceFloor).toBe(0.7);
    expect(config.approval.requiredBy).toBe(900_000);
    expect(config.effectivenessMonitor.stabilizationWindow).toBe(300_000);
    expect(config.remediationOrchestrator.routing).toMatchObject({
      consecutiveFailureThreshold: 3,
      consecutiveFailureCooldown: 3_600_000,
      recentlyRemediatedCooldown: 300_000,
      exponentialBackoffBase: 60_000,
      exponentialBackoffMax: 600_000,
      manualReviewHold: 86_400_000,
    });
    expect(config.notification.retry).toEqual({
      maxAttempts: 5,
      initialBackoff: 30_000,
      maxBackoff: 480_000,
    });
    expect(config.notification.circuitBreaker).toEqual({ failureThreshold: 3, openFor: 30_000 });
    expect(config.notification.inlineDelivery).toEqual({ enabled: true, timeout: 2_000 });
    expect(config.gateway.maxBodyBytes).toBe(262_144);
    expect(config.server.port).toBe(8787);
  });

  it.each([
    {
      case: "dryRunHoldPeriod below its minimum",
      document: { remediationOrchestrator: { dryRunHoldPeriod: "2m" } },
      problem: "remediationOrchestrator.dryRunHoldPeriod: 2m is below the 5m minimum (allowed 5m–168h)",
    },
    {
      case: "dryRunHoldPeriod above its maximum",
      document: { remediationOrchestrator: { dryRunHoldPeriod: "200h" } },
      problem: "remediationOrchestrator.dryRunHoldPeriod: 200h is above the 168h maximum (allowed 5m–168h)",
    },
    {
      case: "a duration that is not one",
      document: { approval: { requiredBy: "soon" } },
      problem: 'approval.requiredBy: "soon" is not a duration (e.g. 30s, 5m, 1h)',
    },
    {
      case: "confidenceThreshold out of [0,1]",
      document: { aianalysis: { rego: { confidenceThreshold: 1.5 } } },
      problem: "aianalysis.rego.confidenceThreshold: must be between 0 and 1",
    },
    {
      case: "a typo in a key",
      document: { remediationOrchestrator: { dryrun: true } },
      problem: 'remediationOrchestrator: unknown key(s) "dryrun"',
    },
    {
      case: "a token stored in clear text",
      document: { auth: { apiTokens: [{ name: "x", role: "admin", sha256: "hunter2" }] } },
      problem: "auth.apiTokens.0.sha256: must be the hex SHA-256 of the token (64 lowercase hex chars)",
    },
    {
      case: "an unknown role",
      document: { auth: { apiTokens: [{ name: "x", role: "root", sha256: "a".repeat(64) }] } },
      problem: "auth.apiTokens.0.role:",
    },
  ])("names the key and the range: $case", ({ document, problem }) => {
    const problems = problemsOf(document);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(problem);
  });

  it("takes secrets and the port from the environment", () => {
    const config = parseConfig(
      {},
      {
        KUBERNAUT_WEBHOOK_TOKEN: "w".repeat(20),
        SLACK_SIGNING_SECRET: "s",
        SLACK_BOT_TOKEN: "xoxb-1",
        PORT: "9999",
        KUBERNAUT_ADMIN_TOKEN: "admin",
      },
    );
    expect(config.auth.webhookToken).toBe("w".repeat(20));
    expect(config.slack).toMatchObject({ signingSecret: "s", botToken: "xoxb-1" });
    expect(config.server.port).toBe(9999);
    expect(config.auth.apiTokens).toContainEqual({
      name: "local-admin",
      role: "admin",
      sha256: sha256Hex("admin"),
      scopes: [],
    });
  });

  it.each([
    [{}, {}, "http://127.0.0.1:8787"],
    [{}, { PORT: "9090" }, "http://127.0.0.1:9090"],
    [{ server: { port: 8123 } }, {}, "http://127.0.0.1:8123"],
    [
      { notification: { baseUrl: "https://kubernaut.example.com" } },
      { PORT: "9090" },
      "https://kubernaut.example.com",
    ],
  ])(
    "links in notifications follow the port it listens on unless baseUrl is set (%j, %j)",
    (document, env, url) => {
      expect(parseConfig(document, env).notification.baseUrl).toBe(url);
    },
  );

  it("rejects a bad PORT from the environment naming the key", () => {
    expect(problemsOf({}, { PORT: "http" })[0]).toMatch(/^server\.port:/);
  });
});

describe("loadConfig", () => {
  it("the shipped example starts at Level 1 (dryRun: true) and is valid", () => {
    const config = loadConfig({}, REPO_ROOT);
    expect(config.remediationOrchestrator.dryRun).toBe(true);
  });

  it("reads the file named by KUBERNAUT_CONFIG", () => {
    const dir = mkdtempSync(join(tmpdir(), "kubernaut-config-"));
    writeFileSync(join(dir, "custom.yaml"), "remediationOrchestrator:\n  dryRunHoldPeriod: 2h\n");
    const config = loadConfig({ KUBERNAUT_CONFIG: "custom.yaml" }, dir);
    expect(config.remediationOrchestrator.dryRunHoldPeriod).toBe(7_200_000);
  });

  it("fails clearly when KUBERNAUT_CONFIG names a missing file, or the YAML is broken", () => {
    const dir = mkdtempSync(join(tmpdir(), "kubernaut-config-"));
    expect(() => loadConfig({ KUBERNAUT_CONFIG: "nope.yaml" }, dir)).toThrow(/does not exist/);
    writeFileSync(join(dir, "kubernaut.config.yaml"), "remediationOrchestrator: [unclosed\n");
    expect(() => loadConfig({}, dir)).toThrow(/not valid YAML/);
  });

  it("uses the defaults when there is no config file", () => {
    const dir = mkdtempSync(join(tmpdir(), "kubernaut-config-"));
    expect(loadConfig({}, dir).remediationOrchestrator.dryRun).toBe(false);
  });
});

describe("notification routing config", () => {
  it.each([
    {
      case: "a route naming an unknown receiver",
      notification: {
        route: { receiver: "log", routes: [{ receiver: "pager", match: { type: ["Escalation"] } }] },
      },
      problem: 'notification.route.routes.0.receiver: no receiver named "pager"',
    },
    {
      case: "a root route without a default receiver",
      notification: { route: { routes: [] } },
      problem: "notification.route.receiver: the root route needs a default receiver",
    },
    {
      case: "a fallback to nowhere",
      notification: {
        receivers: [
          { name: "log", type: "log" },
          { name: "s", type: "slack", channel: "#x", fallback: "gone" },
        ],
      },
      problem: 'notification.receivers.1.fallback: no receiver named "gone"',
    },
    {
      case: "an unknown match key",
      notification: {
        route: { receiver: "log", routes: [{ receiver: "log", match: { severity: ["critical"] } }] },
      },
      problem: 'unknown key(s) "severity"',
    },
  ])("refuses $case", ({ notification, problem }) => {
    expect(problemsOf({ notification }).join("\n")).toContain(problem);
  });

  it("defaults to one log receiver", () => {
    const config = parseConfig({});
    expect(config.notification.receivers).toEqual([{ name: "log", type: "log" }]);
    expect(config.notification.route).toMatchObject({ receiver: "log", routes: [] });
  });
});

describe("aianalysis.llm", () => {
  it.each([
    { case: "absent: the rules investigate", llm: undefined, problem: undefined },
    {
      case: "an OpenAI-compatible endpoint",
      llm: { provider: "openai-compatible", baseUrl: "http://127.0.0.1:11434/v1", model: "m" },
      problem: undefined,
    },
    {
      case: "Bedrock (region from the environment)",
      llm: { provider: "bedrock", model: "anthropic.claude" },
      problem: undefined,
    },
    {
      case: "openai-compatible without a baseUrl",
      llm: { provider: "openai-compatible", model: "m" },
      problem: /^aianalysis\.llm\.baseUrl: openai-compatible needs baseUrl/,
    },
    {
      case: "an unknown provider",
      llm: { provider: "magic", model: "m" },
      problem: /^aianalysis\.llm\.provider/,
    },
    {
      case: "a budget of zero tool calls",
      llm: { provider: "bedrock", model: "m", budget: { maxToolCalls: 0 } },
      problem: /^aianalysis\.llm\.budget\.maxToolCalls/,
    },
    {
      case: "a cheaper model for intake",
      llm: { provider: "bedrock", model: "m", phases: { intake: { model: "small" } } },
      problem: undefined,
    },
    {
      case: "a phase without a model",
      llm: { provider: "bedrock", model: "m", phases: { alignment: {} } },
      problem: /^aianalysis\.llm\.phases\.alignment\.model/,
    },
    {
      case: "an unknown phase",
      llm: { provider: "bedrock", model: "m", phases: { triage: { model: "x" } } },
      problem: /^aianalysis\.llm\.phases/,
    },
  ])("$case", ({ llm, problem }) => {
    const problems = problemsOf(llm ? { aianalysis: { llm } } : {});
    if (problem === undefined) expect(problems).toEqual([]);
    else expect(problems[0]).toMatch(problem);
  });
});
