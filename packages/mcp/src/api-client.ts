/** How the MCP server reaches the API: the app's own `fetch` in-process (local loop, one Lambda). */
export type ApiFetch = (request: Request) => Response | Promise<Response>;

export interface ApiAnswer {
  status: number;
  body: unknown;
}

/**
 * The API as the signed-in caller: every MCP tool is an API request carrying the caller's own token,
 * so authorisation, validation, policy re-evaluation and audit are the API's — not a second copy that
 * could drift. The channel header puts "mcp" in the audit record.
 */
export class CallerApi {
  constructor(
    private readonly fetch: ApiFetch,
    private readonly token: string,
  ) {}

  async call(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    const response = await this.fetch(
      new Request(`http://kubernaut.internal${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          "content-type": "application/json",
          "x-kubernaut-channel": "mcp",
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON (e.g. /metrics): keep the text.
    }
    return { status: response.status, body: parsed };
  }
}
