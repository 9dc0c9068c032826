/** A small client for the HTTP API: URL and token from flags or KUBERNAUT_URL / KUBERNAUT_TOKEN. */
export interface ApiTarget {
  url: string;
  token: string;
}

export function apiTarget(
  args: string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): ApiTarget {
  const url = option(args, "--url") ?? env.KUBERNAUT_URL ?? "http://127.0.0.1:8787";
  const token = option(args, "--token") ?? env.KUBERNAUT_TOKEN;
  if (!token)
    throw new Error(
      "an API token is needed: --token or KUBERNAUT_TOKEN (npm start prints a local admin token)",
    );
  return { url: url.replace(/\/$/, ""), token };
}

/** The API answered with an error: its status, code and message, and the request that got it. */
export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly request = "",
  ) {
    super(`${request ? `${request}: ` : ""}${status} ${code}: ${message}`);
    this.name = "ApiCallError";
  }
}

/** The API could not be reached at all: the URL, and what to check. */
export class ApiUnreachableError extends Error {
  constructor(
    readonly url: string,
    cause: string,
  ) {
    super(
      `cannot reach the Kubernaut API at ${url} (${cause}): is it running (npm start)? Set --url or KUBERNAUT_URL to where it listens`,
    );
    this.name = "ApiUnreachableError";
  }
}

/** What fetch's "fetch failed" hides: ECONNREFUSED, ENOTFOUND, a timeout… */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

export async function call<T>(
  target: ApiTarget,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const url = `${target.url}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        ...headers,
        authorization: `Bearer ${target.token}`,
        // Decisions made from here are audited as the CLI's.
        "x-kubernaut-channel": "cli",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new ApiUnreachableError(target.url, causeOf(error));
  }
  const payload = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!response.ok)
    throw new ApiCallError(
      response.status,
      payload.error?.code ?? "error",
      payload.error?.message ?? response.statusText,
      `${method} ${url}`,
    );
  return payload as T;
}

export function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

/** Positional arguments: everything that is neither a flag nor a flag's value. */
/** Flags that take no value (so the word after them is not swallowed as one). */
const SWITCHES = new Set(["--wait", "--json"]);

export function positional(args: string[]): string[] {
  const result: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (SWITCHES.has(arg)) continue;
    if (arg.startsWith("--")) i++;
    else result.push(arg);
  }
  return result;
}
