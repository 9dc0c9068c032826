/**
 * `npm run bench`: the performance figures of the local loop with real parts (DynamoDB Local, the
 * local Step Functions engine running the real ASL, the cluster simulator, opa-wasm, esbuild bundles).
 * Prints the table, writes bench/results/<date>.json and bench/results/latest.md (the README's table).
 *
 *   npm run bench                      # everything, as committed
 *   npm run bench -- --only policy,coldStart --quick   # while working on one section (nothing written)
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { startDynamoDbLocal } from "@kubernaut/local";
import { logger } from "@kubernaut/telemetry";
import { allNotes, markdownTable, type SectionResult, textTable } from "./lib/report";
import { benchAssessments } from "./sections/assessments";
import { benchColdStart } from "./sections/cold-start";
import { benchConsole } from "./sections/console";
import { benchEndToEnd } from "./sections/end-to-end";
import { benchIngest } from "./sections/ingest";
import { benchPolicy } from "./sections/policy";
import { benchStorm } from "./sections/storm";
import { benchTransitions } from "./sections/transitions";

const SECTIONS = [
  "ingest",
  "storm",
  "policy",
  "coldStart",
  "transitions",
  "endToEnd",
  "assessments",
  "console",
] as const;
type Section = (typeof SECTIONS)[number];

const ROOT = join(import.meta.dirname, "..");
const RESULTS = join(import.meta.dirname, "results");

function parseArgs(argv: string[]) {
  const only = argv.find((a) => a.startsWith("--only"));
  const listed = only
    ? (only.includes("=") ? only.split("=")[1] : argv[argv.indexOf(only) + 1])?.split(",")
    : undefined;
  for (const name of listed ?? []) {
    if (!SECTIONS.includes(name as Section))
      throw new Error(`unknown section ${name} (${SECTIONS.join(", ")})`);
  }
  return { only: listed as Section[] | undefined, quick: argv.includes("--quick") };
}

function gitCommit(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: ROOT,
      encoding: "utf8",
    }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], { cwd: ROOT, encoding: "utf8" }).trim();
    return dirty ? `${head}+uncommitted` : head;
  } catch {
    return "unknown";
  }
}

async function main() {
  const { only, quick } = parseArgs(process.argv.slice(2));
  const wanted = (name: Section) => !only || only.includes(name);
  // The product logs every step as JSON lines; thousands of remediations would bury the table.
  logger.setLogLevel("SILENT");
  const started = Date.now();
  const load = { start: loadavg(), end: [] as number[] };
  const scale = quick ? 0.2 : 1;
  const n = (full: number, min = 1) => Math.max(min, Math.round(full * scale));
  const dynamo = await startDynamoDbLocal();
  const stop = async () => {
    await dynamo.stop();
  };
  // Ctrl-C must not leave a JVM behind.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void stop().finally(() => process.exit(130));
    });
  }
  const sections: Partial<Record<Section, SectionResult>> = {};
  const timings: Partial<Record<Section, number>> = {};
  const run = async (name: Section, bench: () => Promise<SectionResult>) => {
    if (!wanted(name)) return;
    const t = Date.now();
    process.stderr.write(`bench: ${name}…\n`);
    sections[name] = await bench();
    timings[name] = (Date.now() - t) / 1000;
    process.stderr.write(`bench: ${name} done in ${timings[name]?.toFixed(1)} s\n`);
  };
  try {
    await run("ingest", () =>
      benchIngest(dynamo.endpoint, {
        runs: quick ? 2 : 5,
        perKind: n(150, 20),
        mixAlerts: n(600, 100),
        mixTargets: n(30, 5),
      }),
    );
    await run("storm", () =>
      benchStorm(dynamo.endpoint, {
        runs: quick ? 1 : 3,
        alerts: n(10_000, 500),
        targets: n(500, 25),
        redeliveryShare: 0.2,
        concurrency: 16,
      }),
    );
    await run("policy", () =>
      benchPolicy({ runs: quick ? 2 : 5, evaluations: n(20_000, 2_000), loads: n(20, 5) }),
    );
    await run("coldStart", () => benchColdStart({ root: ROOT, rounds: quick ? 2 : 5 }));
    await run("transitions", () =>
      benchTransitions(dynamo.endpoint, { perPath: quick ? 2 : 5, idleRuns: n(20, 5) }),
    );
    await run("endToEnd", () =>
      benchEndToEnd(dynamo.endpoint, { runs: quick ? 1 : 3, perRun: n(40, 10), warmup: 2 }),
    );
    await run("assessments", () =>
      benchAssessments(dynamo.endpoint, { runs: quick ? 1 : 3, assessments: n(400, 50) }),
    );
    await run("console", () =>
      benchConsole(dynamo.endpoint, {
        runs: quick ? 1 : 3,
        remediations: n(1_000, 200),
        pending: n(100, 20),
        renders: n(20, 5),
      }),
    );
  } finally {
    await stop();
  }
  load.end = loadavg();
  const wallSeconds = (Date.now() - started) / 1000;

  const table = textTable(sections);
  process.stdout.write(`\n${table}\n\nwall time ${wallSeconds.toFixed(0)} s\n`);
  const notes = allNotes(sections);
  process.stdout.write(`\n${notes.join("\n")}\n`);

  if (only || quick) {
    process.stderr.write("bench: partial or quick run; results not written\n");
    return;
  }
  const date = new Date().toISOString().slice(0, 10);
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverage: load,
  };
  const result = {
    date,
    commit: gitCommit(),
    machine,
    wallSeconds,
    sectionSeconds: timings,
    ...sections,
  };
  mkdirSync(RESULTS, { recursive: true });
  // Microsecond precision is plenty for figures whose spread is far wider; it keeps the file readable.
  const rounded = (_key: string, value: unknown) =>
    typeof value === "number" && !Number.isInteger(value)
      ? Math.abs(value) >= 0.01
        ? Math.round(value * 1000) / 1000
        : Number(value.toPrecision(3))
      : value;
  writeFileSync(join(RESULTS, `${date}.json`), `${JSON.stringify(result, rounded, 2)}\n`);
  const markdown = [
    `Measured ${date} on ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, commit ${result.commit}; ` +
      `\`npm run bench\` took ${wallSeconds.toFixed(0)} s (load average ${load.start.map((l) => l.toFixed(1)).join(" / ")} at the start).`,
    "",
    markdownTable(sections),
    "",
    ...notes,
    "",
  ].join("\n");
  writeFileSync(join(RESULTS, "latest.md"), markdown);
  process.stderr.write(`bench: wrote bench/results/${date}.json and bench/results/latest.md\n`);
}

await main();
