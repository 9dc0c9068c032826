import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { environmentOf, FUNCTION_NAMES, FUNCTIONS } from "@kubernaut/runtime/functions";
import { startSsmStandIn } from "@kubernaut/runtime/standin";
import { build, type Metafile } from "esbuild";
import { type Figure, formatNumber, type SectionResult } from "../lib/report";
import { median, seededRandom, shuffle, spread } from "../lib/stats";

/**
 * The clients each function calls at run time, and nothing else: its reference bundle imports and
 * constructs exactly these. What a function's bundle carries beyond them (its own code, zod, yaml,
 * Powertools, unused clients) is what the 1.15× target bounds.
 */
const CLIENTS = {
  hono: {
    imports: 'import { Hono } from "hono"; import { handle } from "hono/aws-lambda";',
    construct: "handle(new Hono())",
  },
  dynamodb: {
    imports:
      'import { DynamoDBClient } from "@aws-sdk/client-dynamodb"; import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";',
    construct: "DynamoDBDocumentClient.from(new DynamoDBClient({}))",
  },
  sfn: { imports: 'import { SFNClient } from "@aws-sdk/client-sfn";', construct: "new SFNClient({})" },
  // Every function reads its secrets from SSM Parameter Store at start-up.
  ssm: { imports: 'import { SSMClient } from "@aws-sdk/client-ssm";', construct: "new SSMClient({})" },
  // client-node plus what an EKS token needs (SigV4 over the function's role credentials).
  kubernetes: {
    imports:
      'import { KubeConfig, CoreV1Api, AppsV1Api } from "@kubernetes/client-node"; import { SignatureV4 } from "@smithy/signature-v4"; import { Hash } from "@smithy/hash-node"; import { fromNodeProviderChain } from "@aws-sdk/credential-providers";',
    construct:
      '(() => { const kc = new KubeConfig(); kc.loadFromOptions({ clusters: [{ name: "c", server: "https://127.0.0.1:6443", skipTLSVerify: true }], users: [{ name: "u", token: "t" }], contexts: [{ name: "x", cluster: "c", user: "u" }], currentContext: "x" }); return [kc.makeApiClient(CoreV1Api), kc.makeApiClient(AppsV1Api), new SignatureV4({ service: "sts", region: "us-east-1", credentials: fromNodeProviderChain(), sha256: Hash.bind(null, "sha256") })]; })()',
  },
  opa: { imports: 'import { loadPolicy } from "@open-policy-agent/opa-wasm";', construct: "loadPolicy" },
  slack: { imports: 'import { WebClient } from "@slack/web-api";', construct: "new WebClient()" },
  bedrock: {
    imports: 'import { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";',
    construct: "new BedrockRuntimeClient({})",
  },
} as const;
type Client = keyof typeof CLIENTS;

/** Per entry (path under functions/): the clients it needs, with why where it is not obvious. */
const NEEDS: Record<string, Client[]> = {
  "ingest.ts": ["hono", "dynamodb", "sfn", "ssm"],
  "api.ts": ["hono", "dynamodb", "ssm"],
  // Overrides are re-evaluated by the policy; Slack interactions answer through the Web API.
  "approvals.ts": ["hono", "dynamodb", "sfn", "ssm", "opa", "slack"],
  // Every minute: the approvals outbox (SendTask*) and the effectiveness monitor (cluster reads).
  "schedule.ts": ["dynamodb", "sfn", "ssm", "kubernetes"],
  "execution-closed.ts": ["dynamodb", "ssm"],
  // Classification is Rego.
  "tasks/enrich.ts": ["dynamodb", "ssm", "kubernetes", "opa"],
  // The LLM investigator (Bedrock Converse, or fetch for OpenAI-compatible endpoints); notifications start the notify machine.
  "tasks/analyze.ts": ["dynamodb", "ssm", "sfn", "kubernetes", "bedrock"],
  "tasks/evaluate-policy.ts": ["dynamodb", "ssm", "opa"],
  "tasks/request-approval.ts": ["dynamodb", "ssm", "sfn"],
  // An oscillation escalation is a notification.
  "tasks/execute.ts": ["dynamodb", "ssm", "sfn", "kubernetes"],
  "tasks/check-rollout.ts": ["dynamodb", "ssm", "kubernetes"],
  "tasks/record-outcome.ts": ["dynamodb", "ssm", "sfn"],
  "tasks/finish.ts": ["dynamodb", "ssm", "sfn"],
  "notify/deliver.ts": ["dynamodb", "ssm", "slack"],
  "notify/dead-letter.ts": ["dynamodb", "ssm"],
  "intake/interpret.ts": ["dynamodb", "ssm", "kubernetes", "bedrock"],
  "intake/submit.ts": ["dynamodb", "ssm", "sfn"],
  "intake/failed.ts": ["dynamodb", "ssm"],
  // MCP: its tools call the API's route groups in-process, approvals (and so the policy) included.
  "agents.ts": ["hono", "dynamodb", "sfn", "ssm", "opa"],
  // A2A: tasks follow remediations; it starts them (and intakes) like ingest.
  "a2a.ts": ["hono", "dynamodb", "sfn", "ssm"],
  // The console decides approvals as the approvals function does (overrides re-evaluated by the policy).
  "console.ts": ["hono", "dynamodb", "sfn", "ssm", "opa"],
};
const FALLBACK: Client[] = ["dynamodb", "ssm"];

/** What SST puts at the top of every ESM bundle, so CommonJS dependencies can `require` node builtins. */
const BANNER =
  "import { createRequire as topLevelCreateRequire } from 'module';const require = topLevelCreateRequire(import.meta.url);";

/** Paths that must never enter the ingest bundle (DESIGN §2: the webhook function stays small). */
const INGEST_FORBIDDEN = [
  "@kubernetes/client-node",
  "@open-policy-agent/",
  "client-bedrock",
  "packages/llm/",
  "packages/cluster/",
  "packages/policy/",
  "@slack/",
];

interface Bundle {
  name: string;
  file: string;
  bytes: number;
  gzipBytes: number;
  metafile: Metafile;
}

/** Bundles one entry as SST deploys it: esbuild, minified ESM for node22, the createRequire banner. */
async function bundle(
  name: string,
  outfile: string,
  source: { entry: string } | { contents: string; resolveDir: string },
): Promise<Bundle> {
  const result = await build({
    ...("entry" in source
      ? { entryPoints: [source.entry] }
      : {
          stdin: {
            contents: source.contents,
            resolveDir: source.resolveDir,
            loader: "ts",
            sourcefile: `${name}.ts`,
          },
        }),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    mainFields: ["module", "main"],
    minify: true,
    banner: { js: BANNER },
    outfile,
    metafile: true,
    logLevel: "silent",
  });
  const bytes = readFileSync(outfile);
  return {
    name,
    file: outfile,
    bytes: bytes.byteLength,
    gzipBytes: gzipSync(bytes).byteLength,
    metafile: result.metafile,
  };
}

function referenceSource(clients: readonly Client[]): string {
  const lines: string[] = clients.map((c) => CLIENTS[c].imports);
  lines.push(`export const clients = [${clients.map((c) => CLIENTS[c].construct).join(", ")}];`);
  lines.push("export const handler = async () => clients.length;");
  return lines.join("\n");
}

/** Bytes in the output by package (node_modules/<pkg> or packages/<name>): where the weight comes from. */
function weightByPackage(metafile: Metafile): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match =
        /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path) ?? /(packages\/[^/]+|functions)/.exec(path);
      const key = match?.[1] ?? "other";
      weights[key] = (weights[key] ?? 0) + bytesInOutput;
    }
  }
  return Object.fromEntries(Object.entries(weights).sort((a, b) => b[1] - a[1]));
}

/** What a bundle carries beyond its reference, heaviest first: the packages (or the excess) in KB. */
function extraWeight(fn: Metafile, ref: Metafile): string {
  const mine = weightByPackage(fn);
  const theirs = weightByPackage(ref);
  return Object.entries(mine)
    .map(([pkg, bytes]) => [pkg, bytes - (theirs[pkg] ?? 0)] as const)
    .filter(([, extra]) => extra > 8 * 1024)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([pkg, extra]) => `${pkg} ${Math.round(extra / 1024)} KB`)
    .join(", ");
}

/** Why the bundles are heavier than their clients, by the composition root each family shares. */
const WHY_HEAVIER = [
  "coldStart, why (tasks/*): each task entry builds only its own handler's parts on first use (packages/runtime), but pipelineTasks() is one module for the eight tasks, so every task bundle still carries the code of all of them — client-node, opa-wasm and the model clients included — even where they are never constructed.",
  "coldStart, why (every function): beyond its clients each loads the libraries evaluated at import by every entry — zod (the configuration schema and the records' schemas), yaml, Powertools logger, metrics and parameters — which alone exceed 15 % of the smaller references; and each reads its secrets from SSM during init (loopback here), which the reference does not.",
];

const CLOSE_COLD_START =
  "coldStart, what would close it: per-function composition roots that build only what the handler calls (a runtime per task, not one for all), deep imports instead of package indexes (execution-closed → pipeline/src/reconcile.ts), heavy clients loaded with `await import()` inside the code paths that use them (the LLM providers, Slack), and zod schemas built on first use.";

/** A child process to completion, without blocking this one (the SSM stand-in answers from here). */
function run(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, timeout: 30_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

function entries(functionsDir: string): string[] {
  const found: string[] = [];
  for (const dir of ["", "tasks", "notify", "intake"]) {
    for (const file of readdirSync(join(functionsDir, dir))) {
      // runtime.ts files are the shared composition roots, not Lambda entries.
      if (file.endsWith(".ts") && !file.endsWith("runtime.ts")) found.push(dir ? `${dir}/${file}` : file);
    }
  }
  return found.sort();
}

export interface ColdStartOptions {
  root: string;
  rounds: number;
}

/**
 * Every Lambda entry bundled as it deploys, its bytes and gzip bytes, and its initialisation time: a
 * fresh `node` importing the bundle (configuration parsed, clients built, top-level await settled)
 * minus a fresh `node` importing an empty module — each against a reference bundle built in the same
 * run that imports only the clients that function needs.
 */
export async function benchColdStart(options: ColdStartOptions): Promise<SectionResult> {
  const dir = mkdtempSync(join(tmpdir(), "kubernaut-bench-cold-"));
  try {
    const functionsDir = join(options.root, "functions");
    const names = entries(functionsDir);
    const fnBundles: Record<string, Bundle> = {};
    const refBundles: Record<string, Bundle> = {};
    const refKey = (name: string) => [...(NEEDS[name] ?? FALLBACK)].sort().join("+");
    // esbuild runs builds on its own threads; issuing them together keeps this part short.
    // A function that does not build or start (work in progress elsewhere) gets a row saying so.
    const failures: Record<string, string> = {};
    await Promise.all(
      names.map(async (name) => {
        const slug = name.replace(/[/.]/g, "_");
        try {
          fnBundles[name] = await bundle(name, join(dir, `${slug}.mjs`), { entry: join(functionsDir, name) });
        } catch (error) {
          failures[name] = `build failed: ${(error as Error).message.split("\n")[0]}`;
        }
      }),
    );
    const refKeys = [...new Set(names.filter((n) => fnBundles[n]).map(refKey))];
    await Promise.all(
      refKeys.map(async (key) => {
        refBundles[key] = await bundle(`ref-${key}`, join(dir, `ref-${key.replaceAll("+", "_")}.mjs`), {
          contents: referenceSource(key.split("+") as Client[]),
          resolveDir: options.root,
        });
      }),
    );
    const empty = join(dir, "empty.mjs");
    writeFileSync(empty, "export {};\n");

    // The child times its own import of the bundle (configuration parsed, clients built, top-level
    // await settled) and exits: node's start-up is the same for every bundle and only adds noise, and a
    // module that leaves a handle open (a timer, a socket) must not count.
    const launcher = (file: string) => {
      const path = `${file}.launch.mjs`;
      writeFileSync(
        path,
        `const t = performance.now();\nawait import(${JSON.stringify(`./${relative(dir, file)}`)});\nprocess.stdout.write(String(performance.now() - t));\nprocess.exit(0);\n`,
      );
      return path;
    };
    // Each function starts as its stack deploys it: the environment its table entry gives it
    // (packages/runtime/src/functions.ts), its secrets read from SSM (a loopback stand-in, so the
    // parameter reads of a cold start are in the figure), the repository's config beside it.
    const ssm = await startSsmStandIn({
      "/kubernaut/bench/webhook-token": "bench-webhook-token-0123456789",
      "/kubernaut/bench/api-tokens": "[]",
      "/kubernaut/bench/console-secret": "bench-console-secret-0123456789abcdef0123456789",
    });
    const base = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "bench",
      AWS_SECRET_ACCESS_KEY: "bench",
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
      LAMBDA_TASK_ROOT: options.root,
      POWERTOOLS_DEV: "false",
    };
    const arn = (m: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:kubernaut-bench-${m}`;
    const envOf = (entry: string): Record<string, string> => {
      const fn = FUNCTION_NAMES.find(
        (f) => FUNCTIONS[f].handler === `functions/${entry.replace(/\.ts$/, "")}.handler`,
      );
      if (!fn) return base;
      const environment = environmentOf<string>(fn, {
        table: "kubernaut-bench",
        machine: arn,
        facts: { webhookReceivers: [], bedrock: false },
        prefix: "/kubernaut/bench",
      });
      return { ...base, ...environment };
    };
    const spawnMs = async (file: string, fn: string) => {
      // Lambda's working directory holds the config copied next to the bundle; here the repository does.
      const result = await run(process.execPath, [file], {
        cwd: options.root,
        env: { ...envOf(fn), AWS_LAMBDA_FUNCTION_NAME: `bench-${fn}` },
      });
      const ms = Number(result.stdout);
      if (result.status !== 0 || !Number.isFinite(ms)) {
        const lines = result.stderr.trim().split("\n");
        const message =
          [...lines].reverse().find((l) => /Error\b/.test(l) && !/^\s+at /.test(l)) ?? lines.at(-1);
        throw new Error(`exit ${result.status}: ${(message ?? "").trim().slice(0, 300)}`);
      }
      return ms;
    };
    const launchers = {
      empty: launcher(empty),
      fn: Object.fromEntries(
        names.filter((n) => fnBundles[n]).map((n) => [n, launcher((fnBundles[n] as Bundle).file)]),
      ),
      ref: Object.fromEntries(Object.entries(refBundles).map(([k, b]) => [k, launcher(b.file)])),
    };
    // One untimed launch of everything: warms the page cache and finds what cannot start at all.
    await spawnMs(launchers.empty, "warmup");
    for (const [name, file] of Object.entries(launchers.fn)) {
      try {
        await spawnMs(file, name);
      } catch (error) {
        failures[name] = `init failed: ${(error as Error).message}`;
      }
    }
    for (const [key, file] of Object.entries(launchers.ref)) await spawnMs(file, key);
    const measured = names.filter((n) => !failures[n]);
    const fnInit: Record<string, number[]> = Object.fromEntries(measured.map((n) => [n, []]));
    const refInit: Record<string, number[]> = Object.fromEntries(Object.keys(refBundles).map((k) => [k, []]));
    const emptyRuns: number[] = [];
    const random = seededRandom(11);
    for (let round = 0; round < options.rounds; round++) {
      // Three empty launches per round (start, middle, end) make the baseline robust to drifting load.
      const jobs = shuffle(
        [
          ...measured.map((n) => ({ kind: "fn" as const, key: n })),
          ...Object.keys(refBundles).map((k) => ({ kind: "ref" as const, key: k })),
        ],
        random,
      );
      const times: Array<{ kind: "fn" | "ref"; key: string; ms: number }> = [];
      const baseline = [await spawnMs(launchers.empty, "empty")];
      for (const [i, job] of jobs.entries()) {
        if (i === Math.floor(jobs.length / 2)) baseline.push(await spawnMs(launchers.empty, "empty"));
        const file = (job.kind === "fn" ? launchers.fn[job.key] : launchers.ref[job.key]) as string;
        times.push({ ...job, ms: await spawnMs(file, job.key) });
      }
      baseline.push(await spawnMs(launchers.empty, "empty"));
      const base = median(baseline);
      emptyRuns.push(base);
      for (const t of times) (t.kind === "fn" ? fnInit : refInit)[t.key]?.push(t.ms - base);
    }

    const figures: Figure[] = [];
    const perFunction: Record<string, unknown> = {};
    for (const name of names) {
      const failure = failures[name];
      if (failure) {
        const built = fnBundles[name];
        figures.push({
          id: `coldStart.${name}`,
          label: `coldStart: functions/${name}`,
          unit: "ms",
          value: spread([Number.NaN]),
          target: { of: "ratio", op: "<=", limit: 1.15 },
          met: false,
          shortfall: failure,
          note: "Run with the environment in bench/sections/cold-start.ts.",
          display: {
            value: built
              ? `${formatNumber(built.bytes / 1024)} KB / ${formatNumber(built.gzipBytes / 1024)} KB gz / did not start`
              : "did not build",
            target: "≤ 1.15× each",
          },
        });
        perFunction[name] = { failure, ...(built ? { bytes: built.bytes, gzipBytes: built.gzipBytes } : {}) };
        continue;
      }
      const fn = fnBundles[name] as Bundle;
      const key = refKey(name);
      const ref = refBundles[key] as Bundle;
      const init = fnInit[name] as number[];
      const refTimes = refInit[key] as number[];
      // Ratio of the medians: a per-round ratio of two small, noisy times is noisier than either.
      const initRatio = spread([median(init) / median(refTimes)]);
      const bytesRatio = fn.bytes / ref.bytes;
      const gzipRatio = fn.gzipBytes / ref.gzipBytes;
      const met = bytesRatio <= 1.15 && gzipRatio <= 1.15 && initRatio.median <= 1.15;
      const kb = (b: number) => `${formatNumber(b / 1024)} KB`;
      const initSpread = spread(init);
      const refSpread = spread(refTimes);
      figures.push({
        id: `coldStart.${name}`,
        label: `coldStart: functions/${name}${name in NEEDS ? "" : " (clients not listed in the bench; reference assumed)"}`,
        unit: "ms",
        value: initSpread,
        reference: { label: `clients: ${key}`, value: refSpread },
        ratio: initRatio,
        target: { of: "ratio", op: "<=", limit: 1.15 },
        met,
        shortfall: `${bytesRatio.toFixed(2)}× bytes, ${gzipRatio.toFixed(2)}× gzip, ${initRatio.median.toFixed(2)}× init against ≤ 1.15× each: ${((Math.max(bytesRatio, gzipRatio, initRatio.median) / 1.15 - 1) * 100).toFixed(0)} % over at worst`,
        note: `Beyond the reference: ${extraWeight(fn.metafile, ref.metafile) || "nothing over 8 KB"}.`,
        display: {
          value: `${kb(fn.bytes)} / ${kb(fn.gzipBytes)} gz / init ${formatNumber(initSpread.median)} ms (${formatNumber(initSpread.min)}–${formatNumber(initSpread.max)})`,
          reference: `${key}: ${kb(ref.bytes)} / ${kb(ref.gzipBytes)} gz / ${formatNumber(refSpread.median)} ms`,
          ratio: `${bytesRatio.toFixed(2)} / ${gzipRatio.toFixed(2)} / ${initRatio.median.toFixed(2)}×`,
          target: "≤ 1.15× each",
        },
      });
      perFunction[name] = {
        clients: NEEDS[name] ?? FALLBACK,
        knownClients: name in NEEDS,
        bytes: fn.bytes,
        gzipBytes: fn.gzipBytes,
        initMs: initSpread,
        reference: { bytes: ref.bytes, gzipBytes: ref.gzipBytes, initMs: refSpread },
        ratios: { bytes: bytesRatio, gzip: gzipRatio, init: initRatio },
        heaviest: Object.fromEntries(Object.entries(weightByPackage(fn.metafile)).slice(0, 8)),
      };
    }
    await ssm.close();
    // What the bundle carries (modules that put bytes in the output), not every file esbuild parsed.
    const ingestOutput = Object.values(fnBundles["ingest.ts"]?.metafile.outputs ?? {})[0];
    const ingestInputs = Object.entries(ingestOutput?.inputs ?? {})
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path);
    const forbidden = INGEST_FORBIDDEN.filter((name) => ingestInputs.some((path) => path.includes(name)));
    figures.push({
      id: "coldStart.ingestClean",
      label: "coldStart: ingest bundle free of client-node, opa-wasm, Slack and LLM clients",
      unit: "",
      value: spread([forbidden.length]),
      target: { of: "value", op: "==", limit: 0 },
      met: forbidden.length === 0,
      shortfall: `found ${forbidden.join(", ")}`,
      display: { value: forbidden.length === 0 ? "none found" : forbidden.join(", "), target: "none" },
    });
    return {
      figures,
      notes: figures.some((f) => f.target && !f.met) ? [...WHY_HEAVIER, CLOSE_COLD_START] : [],
      details: {
        method:
          "esbuild bundle (platform node, ESM, node22, minify, mainFields module/main, SST's createRequire banner); init = a fresh node timing its own `await import(bundle)` (performance.now) minus the median of 3 empty-module imports in the same round, median over rounds (order shuffled each round); init ratio = ratio of the medians",
        node: process.version,
        rounds: options.rounds,
        emptyModuleMs: spread(emptyRuns),
        ingestForbiddenFound: forbidden,
        perFunction,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
