import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Config, ConfigError, loadConfig, parseConfig } from "@kubernaut/config";
import {
  CATALOG,
  defineWorkflow,
  InvalidWorkflowError,
  type ParameterValue,
  validateParameters,
  type WorkflowDefinitionInput,
  withRegistered,
} from "@kubernaut/workflows";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { fuzzParameters, fuzzTimeout } from "./support/counts";

// Issue 11, item 2 (fuzzing) for the loaders: the configuration (parseConfig, loadConfig with its YAML
// file and environment overrides) and the workflow catalog (defineWorkflow, withRegistered,
// validateParameters). An invalid or mutated input is refused with the loader's own error naming the
// problem — never a TypeError from deep inside, never a half-valid result.

const REPO_ROOT = join(import.meta.dirname, "..", "..");

/** Runs a loader and returns what it threw (or undefined); the caller asserts the error's kind. */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Configuration

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** A duration key and its allowed range (packages/config/src/schema.ts, stated in README's table). */
const DURATIONS: Array<[string, number, number]> = [
  ["remediationOrchestrator.dryRunHoldPeriod", 5 * MINUTE, 168 * HOUR],
  ["remediationOrchestrator.timeouts.global", MINUTE, 24 * HOUR],
  ["remediationOrchestrator.timeouts.processing", 10 * SECOND, HOUR],
  ["remediationOrchestrator.timeouts.analyzing", 10 * SECOND, HOUR],
  ["remediationOrchestrator.timeouts.executing", 10 * SECOND, 6 * HOUR],
  ["remediationOrchestrator.timeouts.verifying", 10 * SECOND, 6 * HOUR],
  ["remediationOrchestrator.routing.consecutiveFailureCooldown", MINUTE, 168 * HOUR],
  ["remediationOrchestrator.routing.recentlyRemediatedCooldown", 0, 24 * HOUR],
  ["remediationOrchestrator.routing.exponentialBackoffBase", SECOND, HOUR],
  ["remediationOrchestrator.routing.exponentialBackoffMax", SECOND, 24 * HOUR],
  ["remediationOrchestrator.routing.manualReviewHold", MINUTE, 720 * HOUR],
  ["remediationOrchestrator.routing.ineffectiveChain.window", 10 * MINUTE, 168 * HOUR],
  ["approval.requiredBy", MINUTE, 168 * HOUR],
  ["approval.timeoutGrace", SECOND, 10 * MINUTE],
  ["effectivenessMonitor.stabilizationWindow", 30 * SECOND, 24 * HOUR],
  ["effectivenessMonitor.interval", 5 * SECOND, HOUR],
  ["notification.retry.initialBackoff", SECOND, HOUR],
  ["notification.retry.maxBackoff", SECOND, 6 * HOUR],
  ["notification.circuitBreaker.openFor", SECOND, HOUR],
  ["notification.oscillation.window", 5 * MINUTE, 168 * HOUR],
  ["gateway.pendingGrace", SECOND, 10 * MINUTE],
  ["graduation.recentFailure", HOUR, 2160 * HOUR],
];

const COUNTS = [
  "remediationOrchestrator.routing.consecutiveFailureThreshold",
  "remediationOrchestrator.routing.ineffectiveChain.consecutive",
  "remediationOrchestrator.routing.ineffectiveChain.withinWindow",
  "effectivenessMonitor.alertDecayChecks",
  "effectivenessMonitor.concurrency",
  "notification.retry.maxAttempts",
  "notification.circuitBreaker.failureThreshold",
  "notification.oscillation.maxRemediations",
  "graduation.minAssessed",
  "graduation.minApprovalsInRow",
];

const FRACTIONS = [
  "aianalysis.rego.confidenceThreshold",
  "aianalysis.lowConfidenceFloor",
  "graduation.minFullShare",
  "graduation.minMeanScore",
];

const INTEGER_RANGES: Array<[string, number, number]> = [
  ["gateway.maxBodyBytes", 1024, 6_291_456],
  ["retention.remediationDays", 1, 3650],
  ["retention.auditDays", 1, 3650],
  ["server.port", 1, 65_535],
];

/** Never a number: strings of letters cannot be a duration, a count or a URL. */
const letters = fc.stringMatching(/^[a-z]{1,10}$/);
const notANumber = fc.oneof(
  letters,
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
);
const seconds = (ms: number) => Math.floor(ms / SECOND);

/** A key of the config, how to make a valid value for it and a value it must refuse. */
interface KeyCase {
  key: string;
  valid: fc.Arbitrary<unknown>;
  invalid: fc.Arbitrary<unknown>;
}

const KEYS: KeyCase[] = [
  ...DURATIONS.map(([key, min, max]) => ({
    key,
    valid: fc.integer({ min: Math.ceil(min / SECOND), max: seconds(max) }).map((n) => `${n}s`),
    invalid: fc.oneof(
      // Below the minimum, above the maximum, not a duration at all, not a string.
      ...(min > 0 ? [fc.integer({ min: 0, max: Math.ceil(min / SECOND) - 1 }).map((n) => `${n}s`)] : []),
      fc.integer({ min: seconds(max) + 1, max: seconds(max) * 100 + 100 }).map((n) => `${n}s`),
      fc.oneof(
        letters,
        fc.constant(""),
        fc.integer({ min: 1, max: 99 }).map((n) => `-${n}m`),
      ),
      fc.integer(),
    ),
  })),
  ...COUNTS.map((key) => ({
    key,
    valid: fc.integer({ min: 1, max: 1_000 }),
    invalid: fc.oneof(
      fc.integer({ min: -1_000, max: 0 }),
      fc.double({ min: 0.01, max: 1_000, noNaN: true }).filter((n) => !Number.isInteger(n)),
      notANumber,
    ),
  })),
  ...FRACTIONS.map((key) => ({
    key,
    valid: fc.double({ min: 0, max: 1, noNaN: true }),
    invalid: fc.oneof(
      fc.double({ min: 1.000_001, max: 1e9, noNaN: true }),
      fc.double({ min: -1e9, max: -0.000_001, noNaN: true }),
      notANumber,
    ),
  })),
  ...INTEGER_RANGES.map(([key, min, max]) => ({
    key,
    valid: fc.integer({ min, max }),
    invalid: fc.oneof(
      fc.integer({ min: -1e6, max: min - 1 }),
      fc.integer({ min: max + 1, max: max * 10 }),
      notANumber,
    ),
  })),
  ...["remediationOrchestrator.dryRun", "remediationOrchestrator.newWorkflowsDryRun"].map((key) => ({
    key,
    valid: fc.boolean(),
    invalid: fc.oneof(fc.constantFrom("true", "false", "yes"), fc.integer(), fc.constant(null)),
  })),
  {
    key: "signalProcessing.managedScope",
    valid: fc.constantFrom("label", "all"),
    invalid: letters.filter((s) => s !== "label" && s !== "all"),
  },
  ...[
    "effectivenessMonitor.alertmanagerUrl",
    "effectivenessMonitor.prometheusUrl",
    "notification.baseUrl",
  ].map((key) => ({
    key,
    valid: fc.constantFrom("http://127.0.0.1:9093", "https://prometheus.example.com/api"),
    invalid: fc.oneof(letters, fc.integer()),
  })),
  {
    key: "storage.tableName",
    valid: fc.stringMatching(/^[a-zA-Z0-9_.-]{3,40}$/),
    invalid: fc.oneof(fc.string({ maxLength: 2 }), fc.integer()),
  },
  {
    key: "auth.webhookToken",
    valid: fc.string({ minLength: 16, maxLength: 40 }),
    invalid: fc.oneof(fc.string({ maxLength: 15 }), fc.integer()),
  },
  {
    key: "auth.apiTokens.0.sha256",
    valid: fc.stringMatching(/^[0-9a-f]{64}$/),
    invalid: fc.oneof(
      fc.stringMatching(/^[0-9a-f]{1,63}$/),
      fc.stringMatching(/^[0-9A-F]{64}$/).filter((s) => /[A-F]/.test(s)),
      letters,
    ),
  },
  {
    key: "auth.apiTokens.0.role",
    valid: fc.constantFrom("viewer", "approver", "admin"),
    invalid: letters.filter((s) => !["viewer", "approver", "admin"].includes(s)),
  },
  {
    key: "slack.approvers.0.users.0",
    valid: fc.stringMatching(/^U[A-Z0-9]{4,10}$/),
    invalid: fc.oneof(fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/), fc.integer()),
  },
];

/** Sets `value` at a dotted path (numeric parts index arrays), creating what is missing. */
function setAt(document: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split(".");
  let node: Record<string, unknown> | unknown[] = document;
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    const nextIsIndex = /^\d+$/.test(parts[i + 1] ?? "");
    const slot = node as Record<string, unknown>;
    if (last) slot[part] = value;
    else {
      if (typeof slot[part] !== "object" || slot[part] === null) slot[part] = nextIsIndex ? [] : {};
      node = slot[part] as Record<string, unknown>;
    }
  }
}

/** The rest of an API token or Slack approver entry, so a mutated field is the only problem. */
function completeEntries(document: Record<string, unknown>): void {
  const auth = document.auth as { apiTokens?: Array<Record<string, unknown>> } | undefined;
  const token = auth?.apiTokens?.[0];
  if (token) Object.assign(token, { name: "t", role: "viewer", sha256: "a".repeat(64), ...token });
}

/** A valid config document: a random selection of keys with valid values. */
const validDocument = fc
  .subarray(KEYS, { maxLength: 8 })
  .chain((cases) => fc.tuple(...cases.map((c) => c.valid.map((value) => [c.key, value] as const))))
  .map((entries) => {
    const document: Record<string, unknown> = {};
    for (const [key, value] of entries) setAt(document, key, value);
    completeEntries(document);
    return document;
  });

/** The config schema's problems for a document, or the unexpected error. */
function configProblems(document: unknown): readonly string[] {
  const error = thrown(() => parseConfig(document, {}, "fuzz"));
  if (error === undefined) return [];
  if (!(error instanceof ConfigError)) throw error;
  return error.problems;
}

describe("the configuration loader", () => {
  it(
    "a valid document with one key made invalid is refused with one problem naming that key",
    () => {
      fc.assert(
        fc.property(
          validDocument,
          fc.constantFrom(...KEYS).chain((c) => c.invalid.map((value) => ({ key: c.key, value }))),
          (document, mutation) => {
            // Prepare: the base document is valid on its own.
            expect(configProblems(document)).toEqual([]);
            const mutated = structuredClone(document);
            setAt(mutated, mutation.key, mutation.value);
            completeEntries(mutated);
            // Act
            const problems = configProblems(mutated);
            // Assess
            expect(problems).toHaveLength(1);
            expect(problems[0]).toMatch(new RegExp(`^${mutation.key.replaceAll(".", "\\.")}: \\S`));
          },
        ),
        fuzzParameters(300),
      );
    },
    fuzzTimeout(),
  );

  it(
    "a misspelt key anywhere is refused naming its section and the key, so a typo cannot switch a safety off",
    () => {
      const sections = [
        "",
        "remediationOrchestrator",
        "remediationOrchestrator.routing",
        "aianalysis.rego",
        "approval",
        "effectivenessMonitor",
        "notification.retry",
        "gateway",
        "auth",
        "slack",
        "retention",
        "storage",
        "graduation",
      ];
      fc.assert(
        fc.property(
          validDocument,
          fc.constantFrom(...sections),
          fc.stringMatching(/^x[A-Za-z]{1,12}$/),
          (document, section, key) => {
            const mutated = structuredClone(document);
            setAt(mutated, section ? `${section}.${key}` : key, true);
            expect(configProblems(mutated)).toEqual([
              `${section ? `${section}: ` : ""}unknown key(s) "${key}"`,
            ]);
          },
        ),
        fuzzParameters(200),
      );
    },
    fuzzTimeout(),
  );

  it(
    "any value at any key yields a Config or a ConfigError whose problems name a key — nothing else",
    () => {
      fc.assert(
        fc.property(
          validDocument,
          fc.constantFrom(...KEYS.map((c) => c.key)),
          fc.anything(),
          (document, key, value) => {
            const mutated = structuredClone(document);
            setAt(mutated, key, value);
            completeEntries(mutated);
            const problems = configProblems(mutated);
            const section = key.split(".")[0] as string;
            for (const problem of problems) expect(problem.startsWith(section)).toBe(true);
          },
        ),
        fuzzParameters(300),
      );
    },
    fuzzTimeout(),
  );

  it(
    "any document at all yields a Config or a ConfigError, never another error",
    () => {
      fc.assert(
        fc.property(
          fc.oneof(fc.anything(), fc.jsonValue(), fc.dictionary(fc.string(), fc.anything())),
          (document) => {
            const problems = configProblems(document);
            for (const problem of problems) expect(problem).toMatch(/\S/);
          },
        ),
        fuzzParameters(300),
      );
    },
    fuzzTimeout(),
  );

  it(
    "the shipped YAML file, mutated: loadConfig answers a Config or a ConfigError naming the file, and changes nothing on disk",
    () => {
      const shipped = readFileSync(join(REPO_ROOT, "kubernaut.config.yaml"), "utf8");
      const lines = shipped.split("\n");
      const dir = mkdtempSync(join(tmpdir(), "kubernaut-fuzz-config-"));
      const path = join(dir, "fuzz.yaml");
      const mutatedText = fc.oneof(
        // A line dropped or duplicated (indentation breaks), text inserted anywhere, a value replaced.
        fc.nat({ max: lines.length - 1 }).map((i) => lines.filter((_, j) => j !== i).join("\n")),
        fc
          .nat({ max: lines.length - 1 })
          .map((i) => [...lines.slice(0, i + 1), ...lines.slice(i)].join("\n")),
        fc
          .tuple(fc.nat({ max: shipped.length }), fc.string({ minLength: 1, maxLength: 12 }))
          .map(([at, text]) => shipped.slice(0, at) + text + shipped.slice(at)),
        fc
          .tuple(
            fc.nat({ max: lines.length - 1 }),
            fc.oneof(
              fc.string({ maxLength: 12 }),
              fc.jsonValue().map((v) => JSON.stringify(v)),
            ),
          )
          .map(([i, value]) =>
            lines.map((line, j) => (j === i ? line.replace(/:\s.*$/, `: ${value}`) : line)).join("\n"),
          ),
        fc.string({ maxLength: 200 }),
      );
      // The YAML parser reports odd tags and directives as process warnings; thousands of them would
      // bury the test output, and they are not what this property checks.
      vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
      fc.assert(
        fc.property(mutatedText, (text) => {
          // Prepare
          writeFileSync(path, text);
          // Act
          let config: Config | undefined;
          const error = thrown(() => {
            config = loadConfig({ KUBERNAUT_CONFIG: path }, dir);
          });
          // Assess: a config, or the loader's error naming the file and each problem; the file as written.
          if (error !== undefined) {
            expect(error).toBeInstanceOf(ConfigError);
            expect((error as ConfigError).source).toBe(path);
            expect((error as ConfigError).message).toContain(path);
            expect((error as ConfigError).problems.length).toBeGreaterThan(0);
          } else {
            expect(config?.server.port).toBeGreaterThan(0);
          }
          expect(readFileSync(path, "utf8")).toBe(text);
        }),
        fuzzParameters(200),
      );
    },
    fuzzTimeout(),
  );

  it.each([
    { variable: "PORT", key: "server.port" },
    { variable: "KUBERNAUT_API_TOKENS", key: "KUBERNAUT_API_TOKENS|auth" },
    { variable: "KUBERNAUT_WEBHOOK_TOKEN", key: "auth.webhookToken" },
    { variable: "SLACK_API_URL", key: "slack.apiUrl" },
    { variable: "DYNAMODB_ENDPOINT", key: "storage.endpoint" },
  ])(
    "any $variable from the environment: a Config or a ConfigError naming $key",
    ({ variable, key }) => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string(),
            fc.jsonValue().map((v) => JSON.stringify(v)),
          ),
          (value) => {
            const error = thrown(() => parseConfig({}, { [variable]: value }, "env"));
            if (error === undefined) return;
            expect(error).toBeInstanceOf(ConfigError);
            for (const problem of (error as ConfigError).problems)
              expect(problem).toMatch(new RegExp(`^(${key.replaceAll(".", "\\.")})`));
          },
        ),
        fuzzParameters(200),
      );
    },
    fuzzTimeout(),
  );
});

// ---------------------------------------------------------------------------------------------------
// Workflow catalog

const VALID_WORKFLOW: WorkflowDefinitionInput = {
  id: "fuzz-restart-v1",
  version: "1.0.0",
  actionType: "RestartPod",
  description: { what: "restart", whenToUse: "stuck pods", whenNotToUse: "every replica fails" },
  signals: ["PodNotReady"],
  targetKinds: ["Deployment"],
  parameters: {
    mode: { type: "string", description: "how", enum: ["deletePod", "rolloutRestart"] },
    count: { type: "integer", description: "how many", minimum: 1, maximum: 5 },
  },
  changesSpec: false,
  reversible: true,
  blastRadius: "one pod",
};

/** A field of a workflow definition and values it must refuse, with the path the error must name. */
const WORKFLOW_MUTATIONS: Array<{ path: string; invalid: fc.Arbitrary<unknown> }> = [
  {
    path: "id",
    invalid: fc.oneof(
      fc.string().filter((s) => !/^[a-z0-9-]+-v\d+$/.test(s)),
      fc.integer(),
    ),
  },
  {
    path: "version",
    invalid: fc.oneof(
      fc.string().filter((s) => !/^\d+\.\d+\.\d+$/.test(s)),
      fc.integer(),
    ),
  },
  {
    path: "actionType",
    invalid: fc.oneof(
      fc.string().filter((s) => !/^[A-Z][A-Za-z]+$/.test(s)),
      fc.integer(),
    ),
  },
  { path: "description.what", invalid: fc.oneof(fc.constant(""), fc.integer(), fc.constant(null)) },
  { path: "description.whenNotToUse", invalid: fc.oneof(fc.constant(""), fc.boolean()) },
  { path: "signals", invalid: fc.oneof(fc.constant([]), letters, fc.constant([""])) },
  { path: "targetKinds", invalid: fc.oneof(fc.constant([]), fc.integer()) },
  {
    path: "parameters.count.type",
    invalid: letters.filter((s) => !["integer", "number", "string", "boolean", "quantity"].includes(s)),
  },
  { path: "parameters.count.description", invalid: fc.oneof(fc.constant(""), fc.integer()) },
  { path: "parameters.mode.enum", invalid: fc.oneof(fc.constant([]), letters) },
  { path: "parameters.count.minimum", invalid: fc.integer({ min: 6, max: 1_000 }) },
  { path: "changesSpec", invalid: fc.oneof(letters, fc.integer(), fc.constant(null)) },
  { path: "reversible", invalid: fc.oneof(letters, fc.constant(undefined)) },
  { path: "blastRadius", invalid: fc.oneof(fc.constant(""), fc.integer()) },
];

/** Whether a value carries an `id` that is an object (see the property that leaves these out). */
function hasObjectId(value: unknown): boolean {
  if (typeof value !== "object" || value === null || !("id" in value)) return false;
  const id = (value as { id: unknown }).id;
  return typeof id === "object" && id !== null;
}

describe("the workflow catalog loader", () => {
  it(
    "a valid definition with one field made invalid is refused with an InvalidWorkflowError naming the field",
    () => {
      fc.assert(
        fc.property(
          fc
            .constantFrom(...WORKFLOW_MUTATIONS)
            .chain((m) => m.invalid.map((value) => ({ path: m.path, value }))),
          ({ path, value }) => {
            const input = structuredClone(VALID_WORKFLOW) as unknown as Record<string, unknown>;
            setAt(input, path, value);
            const error = thrown(() => defineWorkflow(input as unknown as WorkflowDefinitionInput));
            expect(error).toBeInstanceOf(InvalidWorkflowError);
            // `minimum` above `maximum` is reported on the parameter, every other problem on its field (or
            // an element of it, `signals.0`).
            if (path === "parameters.count.minimum")
              expect((error as Error).message).toContain("parameters.count: minimum is above maximum");
            else
              expect((error as Error).message).toMatch(
                new RegExp(`${path.replaceAll(".", "\\.")}(\\.\\w+)*: \\S`),
              );
          },
        ),
        fuzzParameters(300),
      );
    },
    fuzzTimeout(),
  );

  it(
    "any value as a definition yields a definition or an InvalidWorkflowError, never another error",
    () => {
      fc.assert(
        fc.property(
          fc.oneof(
            // Left out: null, undefined and an object-valued `id` — defineWorkflow builds its error message
            // from `String(input.id)` and throws a TypeError on them (reported with issue 11's evidence).
            // Every other value must be refused cleanly.
            fc.anything().filter((value) => value !== null && value !== undefined && !hasObjectId(value)),
            fc.dictionary(fc.string(), fc.anything()).filter((value) => !hasObjectId(value)),
            fc
              .record(
                { ...Object.fromEntries(Object.keys(VALID_WORKFLOW).map((k) => [k, fc.anything()])) },
                {
                  requiredKeys: [],
                },
              )
              .filter((value) => !hasObjectId(value)),
          ),
          (input) => {
            const error = thrown(() => defineWorkflow(input as unknown as WorkflowDefinitionInput));
            if (error !== undefined) expect(error).toBeInstanceOf(InvalidWorkflowError);
          },
        ),
        fuzzParameters(300),
      );
    },
    fuzzTimeout(),
  );

  it(
    "stored definitions of any shape: the built-in catalog stays intact, only valid new workflows are added",
    () => {
      const builtIn = new Set(CATALOG.map((w) => w.id));
      const stored = fc.array(
        fc.oneof(
          // A valid new workflow (ids are unique per record in the table), a valid one shadowing a
          // built-in id, a mutated one, junk.
          fc
            .stringMatching(/^[a-z]{1,8}-v[0-9]$/)
            .map((id) => ({ kind: "new" as const, value: { ...VALID_WORKFLOW, id: `fuzz-${id}` } })),
          fc
            .constantFrom(...CATALOG.map((w) => w.id))
            .map((id) => ({ kind: "shadow" as const, value: { ...VALID_WORKFLOW, id } })),
          fc
            .constantFrom(...WORKFLOW_MUTATIONS)
            .filter((m) => m.path !== "parameters.count.minimum")
            .chain((m) => m.invalid.map((v) => ({ path: m.path, v })))
            .map(({ path, v }) => {
              const value = structuredClone(VALID_WORKFLOW) as unknown as Record<string, unknown>;
              setAt(value, path, v);
              return { kind: "invalid" as const, value };
            }),
          fc.anything().map((value) => ({ kind: "junk" as const, value })),
        ),
        { maxLength: 8 },
      );
      fc.assert(
        fc.property(stored, (items) => {
          const unique = items.filter(
            (item, i) =>
              item.kind !== "new" ||
              items.findIndex((other) => other.kind === "new" && other.value.id === item.value.id) === i,
          );
          const catalog = withRegistered(
            CATALOG,
            unique.map((item) => item.value),
          );
          expect(catalog.slice(0, CATALOG.length)).toEqual(CATALOG);
          const added = catalog.slice(CATALOG.length).map((w) => w.id);
          expect(added).toEqual(
            unique.filter((item) => item.kind === "new").map((item) => (item.value as { id: string }).id),
          );
          expect(added.some((id) => builtIn.has(id))).toBe(false);
        }),
        fuzzParameters(300),
      );
    },
    fuzzTimeout(),
  );

  it(
    "any parameters against any catalog workflow: problems name their parameter, never a throw",
    () => {
      const value = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean());
      fc.assert(
        fc.property(
          fc.constantFrom(...CATALOG),
          fc.dictionary(
            fc.oneof(
              fc.string({ maxLength: 12 }),
              fc.constantFrom(...CATALOG.flatMap((w) => Object.keys(w.parameters))),
            ),
            value,
          ),
          (workflow, parameters) => {
            const problems = validateParameters(workflow, parameters as Record<string, ParameterValue>);
            const names = new Set([...Object.keys(parameters), ...Object.keys(workflow.parameters)]);
            for (const problem of problems)
              expect(
                [...names].some((name) => problem.startsWith(`${name}: `)),
                problem,
              ).toBe(true);
            // Only named, known, well-typed parameters pass.
            if (problems.length === 0)
              for (const name of Object.keys(parameters)) expect(name in workflow.parameters).toBe(true);
          },
        ),
        fuzzParameters(300),
      );
    },
    fuzzTimeout(),
  );
});
