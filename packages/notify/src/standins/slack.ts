import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
}

export interface SlackFault {
  /** HTTP status to answer (200 with `error` for a Slack platform error). */
  status: number;
  error?: string;
  retryAfterSeconds?: number;
  /** How many calls fail; the rest succeed. */
  times: number;
}

async function readArgs(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if ((request.headers["content-type"] ?? "").includes("application/json"))
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  // The official client posts form-encoded arguments, with structured ones (blocks, view) as JSON strings.
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    args[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return args;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/**
 * A loopback stand-in for the Slack Web API (`/api/<method>`): it records every call and can be told
 * to fail, so tests and `npm start` without a Slack token exercise the real client over HTTP.
 */
export async function startSlackStandIn(port = 0) {
  const calls: SlackCall[] = [];
  const userGroups = new Map<string, string[]>();
  const faults: SlackFault[] = [];
  let counter = 0;
  const server = createServer(async (request, response) => {
    const method = (request.url ?? "").replace(/^\/api\//, "").split("?")[0] ?? "";
    const args = await readArgs(request);
    calls.push({ method, args, at: Date.now() });
    const fault = faults[0];
    if (fault) {
      fault.times--;
      if (fault.times <= 0) faults.shift();
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
      response.writeHead(fault.status, headers);
      response.end(
        JSON.stringify({
          ok: false,
          error: fault.error ?? (fault.status === 429 ? "ratelimited" : "internal_error"),
        }),
      );
      return;
    }
    counter++;
    const ts = `${Math.floor(Date.now() / 1000)}.${counter.toString().padStart(6, "0")}`;
    const body: Record<string, unknown> = { ok: true };
    if (method === "chat.postMessage" || method === "chat.update")
      Object.assign(body, { channel: args.channel, ts: args.ts ?? ts });
    if (method === "auth.test")
      Object.assign(body, { team_id: "T0LOCAL", user_id: "U0KUBERNAUT", bot_id: "B0KUBERNAUT" });
    if (method === "views.open") Object.assign(body, { view: { id: `V${counter}` } });
    if (method === "chat.postEphemeral") Object.assign(body, { message_ts: ts });
    if (method === "usergroups.users.list")
      Object.assign(body, { users: userGroups.get(String(args.usergroup)) ?? [] });
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${bound}/api/`,
    calls,
    /** Queues a fault for the next `times` calls. */
    fail(fault: SlackFault) {
      faults.push({ ...fault });
    },
    clearFaults() {
      faults.splice(0);
    },
    /** Members of a user group, as usergroups.users.list reports them. */
    setUserGroup(group: string, users: string[]) {
      userGroups.set(group, users);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type SlackStandIn = Awaited<ReturnType<typeof startSlackStandIn>>;
