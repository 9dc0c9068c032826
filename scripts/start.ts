/**
 * `npm start`: the whole product locally on its embedded defaults (DESIGN §7). No cloud account: DynamoDB
 * Local, the local Step Functions engine and every HTTP route group on 127.0.0.1:$PORT (default 8787).
 */
import { ConfigError } from "@kubernaut/config";
import {
  JavaMissingError,
  RealClusterUnavailableError,
  sampleAlert,
  startLocalLoop,
  startupLines,
} from "@kubernaut/local";

/** `--cluster real` / `--cluster=real` (or `simulator`): which local cluster, over `cluster.local`. */
function clusterFlag(argv: readonly string[]): "simulator" | "real" | undefined {
  const at = argv.findIndex((a) => a === "--cluster" || a.startsWith("--cluster="));
  if (at < 0) return undefined;
  const value = argv[at]?.includes("=") ? argv[at]?.split("=")[1] : argv[at + 1];
  if (value === "real" || value === "simulator") return value;
  throw new RealClusterUnavailableError(`--cluster takes real or simulator, not ${value ?? "nothing"}`);
}

async function main() {
  const started = Date.now();
  process.stdout.write(
    "Starting Kubernaut locally (DynamoDB Local, local Step Functions engine, HTTP API)…\n",
  );
  const cluster = clusterFlag(process.argv.slice(2));
  const loop = await startLocalLoop({
    ...(cluster ? { cluster } : {}),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  const { url, secrets, reconciled } = loop;
  const sample = JSON.stringify(sampleAlert());
  const lines = [
    "",
    `Kubernaut is running at ${url}  (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
    "",
    ...startupLines(loop.startup, url, process.cwd()),
    `  webhook token   ${secrets.webhookToken}`,
    `  admin token     ${secrets.adminToken}`,
    "  data            .kubernaut/ (DynamoDB Local on disk; delete it to start over)",
    reconciled.restarted.length + reconciled.failed.length > 0
      ? `  reconciled      ${reconciled.restarted.length} restarted, ${reconciled.failed.length} failed (EngineRestarted) from the last run`
      : "",
    "",
    "Send a sample alert:",
    "",
    `  curl -s -X POST ${url}/api/v1/signals/prometheus \\`,
    `    -H 'Authorization: Bearer ${secrets.webhookToken}' -H 'Content-Type: application/json' \\`,
    `    -d '${sample}'`,
    "",
    "Then look at the remediation it created (its id is in the answer):",
    "",
    `  curl -s ${url}/api/v1/remediations -H 'Authorization: Bearer ${secrets.adminToken}'`,
    `  curl -s ${url}/api/v1/remediations/<id> -H 'Authorization: Bearer ${secrets.adminToken}'`,
    "",
    "Or from the CLI (every command: npx kubernaut help):",
    "",
    `  export KUBERNAUT_URL=${url} KUBERNAUT_TOKEN=${secrets.adminToken}`,
    "  npx kubernaut remediations list",
    "",
    `Assistants (MCP, Streamable HTTP): ${url}/mcp  with  Authorization: Bearer <API token>`,
    `Other agents (A2A): ${url}/.well-known/agent-card.json`,
    "",
    "Ctrl-C stops everything this started.",
    "",
  ].filter((line, i, all) => line !== "" || all[i - 1] !== "");
  process.stdout.write(`${lines.join("\n")}\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping…\n`);
    await loop.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  if (
    error instanceof JavaMissingError ||
    error instanceof ConfigError ||
    error instanceof RealClusterUnavailableError
  ) {
    process.stderr.write(`\n${error.message}\n`);
  } else if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
    process.stderr.write(`\nPort ${process.env.PORT ?? 8787} is in use: set PORT to another one.\n`);
  } else {
    process.stderr.write(`\n${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
});
