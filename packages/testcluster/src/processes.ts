import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

/** A loopback port nobody listens on right now (the OS picks it; the component binds it moments later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The last lines of a component's log, for an error a person reads. */
export function logTail(path: string, lines = 25): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/**
 * One control-plane component in its own process, its stdout and stderr in a log file. `exited` is
 * set when it stops, so a wait for readiness can fail at once (with the log) instead of timing out.
 */
export class Component {
  private readonly child: ChildProcess;
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly closed: Promise<void>;

  constructor(
    readonly name: string,
    binary: string,
    args: string[],
    readonly logPath: string,
  ) {
    const log = openSync(logPath, "a");
    this.child = spawn(binary, [name, ...args], {
      stdio: ["ignore", log, log],
      // The component exits if it finds another parent than this process (see tools/testcluster/orphan.go).
      env: { ...process.env, TESTCLUSTER_PARENT_PID: String(process.pid) },
    });
    closeSync(log);
    this.closed = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.exited = { code, signal };
        resolve();
      });
    });
    liveComponents.add(this);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Throws naming the component and its last log lines if it has exited. */
  assertRunning(): void {
    if (this.exited)
      throw new Error(
        `${this.name} exited (${this.exited.signal ?? `code ${this.exited.code}`}); last lines of ${this.logPath}:\n${logTail(this.logPath)}`,
      );
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.exited) {
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
      await this.closed;
      clearTimeout(timer);
    }
    liveComponents.delete(this);
  }

  /** Synchronous last resort when the launching process exits without stop(). */
  kill(): void {
    if (!this.exited) this.child.kill("SIGKILL");
  }
}

const liveComponents = new Set<Component>();
// A test runner that exits without calling stop() must not leave a control plane behind on a shared
// machine. (A SIGKILLed launcher is covered on the Go side: each component asks for SIGTERM when its
// parent dies.)
process.once("exit", () => {
  for (const component of liveComponents) component.kill();
});

/** Polls `check` until it returns true, failing early when `component` exits, or after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; component?: Component; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    options.component?.assertRunning();
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
      const log = options.component
        ? `; last lines of ${options.component.logPath}:\n${logTail(options.component.logPath)}`
        : "";
      throw new Error(`timed out after ${options.timeoutMs / 1000} s waiting for ${what}${detail}${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}
