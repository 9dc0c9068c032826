import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import {
  createServer as createHttp2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
} from "node:http2";
import type { AddressInfo } from "node:net";

/** One scripted answer: text, tool calls, an HTTP error, or silence for a while (a timeout). */
export type ScriptStep =
  | { content: string }
  | { toolCalls: Array<{ name: string; arguments: unknown }> }
  | { status: number; retryAfter?: number }
  | { delayMs: number; after: ScriptStep };

/** A text or tool-call answer, after delays and errors are dealt with. */
export type Answer = Extract<ScriptStep, { content: string } | { toolCalls: unknown }>;

/**
 * The HTTP plumbing both wire-format stand-ins share: requests answered from the script in order (the
 * last step repeats), delays, scripted errors, and every request body kept for assertions.
 */
export async function scriptedServer<Body>(
  script: ScriptStep[],
  render: (answer: Answer, requestNumber: number) => unknown,
  /** Cleartext HTTP/2, as the Bedrock Runtime SDK speaks it (it uses an HTTP/2 handler by default). */
  options: { http2?: boolean } = {},
) {
  const requests: Body[] = [];
  let next = 0;
  const gone = (res: ServerResponse | Http2ServerResponse) =>
    "stream" in res ? res.stream.destroyed : res.destroyed;
  const handle = async (
    req: IncomingMessage | Http2ServerRequest,
    raw: ServerResponse | Http2ServerResponse,
  ) => {
    // The two response types differ only in overloads; both take a status, headers and a body.
    const res = raw as unknown as {
      writeHead(status: number, headers: Record<string, string>): void;
      end(body: string): void;
    };
    requests.push(JSON.parse(await read(req)) as Body);
    let step = script[Math.min(next++, script.length - 1)] as ScriptStep;
    while ("delayMs" in step) {
      const { delayMs, after } = step;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (gone(raw)) return;
      step = after;
    }
    if ("status" in step) {
      res.writeHead(step.status, {
        "content-type": "application/json",
        ...(step.retryAfter !== undefined ? { "retry-after": String(step.retryAfter) } : {}),
      });
      res.end(
        JSON.stringify({ error: { message: `scripted ${step.status}` }, message: `scripted ${step.status}` }),
      );
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(render(step, requests.length)));
  };
  const sessions = new Set<Http2Session>();
  const server = options.http2 ? createHttp2Server(handle) : createServer(handle);
  server.on("session", (session: Http2Session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        if ("closeAllConnections" in server) server.closeAllConnections();
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}

function read(req: IncomingMessage | Http2ServerRequest): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    req.on("data", (chunk: Buffer) => {
      data += chunk;
    });
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}
