import { randomBytes } from "node:crypto";
import type { DecisionSender } from "@kubernaut/approvals";
import { type ConfigInput, parseConfig, sha256Hex } from "@kubernaut/config";
import type { RemediationRequest } from "@kubernaut/core";
import { FilePolicyStore, wasmPath } from "@kubernaut/policy";
import {
  type ApprovalRequest,
  ApprovalStore,
  approvalIdFor,
  createDynamoClient,
  documentClient,
  ensureTable,
  RemediationStore,
  SystemAuditStore,
  TrustStore,
} from "@kubernaut/store";
import { CATALOG } from "@kubernaut/workflows";
import { inject } from "vitest";
import { createConsole } from "../app";
import type { ConsoleDeps } from "../deps";
import type { OidcSettings } from "../settings";

export const TOKENS = {
  admin: "console-test-admin-token",
  staging: "console-test-staging-approver",
  viewer: "console-test-viewer-token",
};

/**
 * The console on its own table of the suite's DynamoDB Local, with the real stores and policy; only the
 * hand-off to Step Functions is a recording port (no execution waits in these tests).
 */
export async function consoleHarness(
  options: { config?: ConfigInput; oidc?: OidcSettings; fetch?: typeof fetch } = {},
) {
  const config = parseConfig(
    {
      ...options.config,
      aianalysis: { rego: { policy: wasmPath("starter") } },
      storage: { tableName: `console-${randomBytes(6).toString("hex")}` },
      auth: {
        apiTokens: [
          {
            name: "stella",
            role: "approver",
            sha256: sha256Hex(TOKENS.staging),
            scopes: [{ environments: ["Staging"] }],
          },
          { name: "vera", role: "viewer", sha256: sha256Hex(TOKENS.viewer) },
        ],
      },
    },
    { KUBERNAUT_ADMIN_TOKEN: TOKENS.admin },
    "test",
  );
  const client = createDynamoClient({ region: config.storage.region, endpoint: inject("dynamoEndpoint") });
  await ensureTable(client, config.storage.tableName);
  const db = documentClient(client);
  const store = new RemediationStore(db, {
    tableName: config.storage.tableName,
    remediationRetentionDays: 90,
    auditRetentionDays: 365,
  });
  const approvals = new ApprovalStore(db, config.storage.tableName, 90);
  const systemAudit = new SystemAuditStore(db, config.storage.tableName, 365);
  const trust = new TrustStore(db, config.storage.tableName);
  const sent: ApprovalRequest[] = [];
  const sender: DecisionSender = {
    send: async (approval) => {
      sent.push(approval);
      return "delivered";
    },
  };
  const clock = { now: new Date() };
  const deps: ConsoleDeps = {
    decisions: {
      config: () => config,
      store,
      approvals,
      systemAudit,
      catalog: CATALOG,
      policy: new FilePolicyStore(() => config.aianalysis.rego.policy, 0),
      sender,
      trust,
    },
    trust,
    settings: {
      sessionSecret: randomBytes(32).toString("hex"),
      sessionMaxAgeSeconds: 3_600,
      oidc: options.oidc,
    },
    ...(options.fetch ? { fetch: options.fetch } : {}),
    now: () => clock.now,
  };
  const app = createConsole(deps);

  /** Stores a remediation as the pipeline would have left it, and its approval request when it waits. */
  const seed = async (rr: RemediationRequest): Promise<ApprovalRequest | undefined> => {
    const created = await store.createRemediation(rr, undefined, {
      type: "service",
      id: "gateway",
      channel: "webhook",
    });
    if (created !== "created") throw new Error(`${rr.id} was not created (${created})`);
    if (rr.phase !== "AwaitingApproval") return undefined;
    const request = {
      id: approvalIdFor(rr.id),
      remediationId: rr.id,
      fingerprint: rr.fingerprint,
      taskToken: `token-${rr.id}`,
      createdAt: rr.createdAt,
      requiredBy: new Date(clock.now.getTime() + 15 * 60_000).toISOString(),
      reason: "production environment",
      degraded: false,
      workflowId: rr.analysis?.workflowId,
      confidence: rr.analysis?.confidence ?? 0,
      environment: rr.enrichment?.environment ?? "Unknown",
      namespace: rr.targetResource.namespace,
    };
    await approvals.createOrRefreshToken(request);
    await store.transition(
      rr.id,
      {
        from: [rr.phase],
        to: "AwaitingApproval",
        // Seeded straight into AwaitingApproval: the request is attached as the pipeline would.
        seed: true,
        set: { approvalRequestId: request.id },
        event: "ApprovalRequested",
      },
      { type: "system", id: "pipeline", channel: "pipeline" },
    );
    return (await approvals.get(request.id)) as ApprovalRequest;
  };

  return {
    app,
    deps,
    config,
    store,
    approvals,
    systemAudit,
    trust,
    sent,
    clock,
    seed,
    browser: () => new Browser(app),
  };
}

/**
 * Just enough of a browser for `app.request`: it keeps cookies (honouring Max-Age=0 deletions), sends
 * the Origin a same-origin form post carries, and can submit forms.
 */
export class Browser {
  readonly cookies = new Map<string, string>();
  constructor(
    private readonly app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> },
  ) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) {
      headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    }
    const response = await this.app.request(`http://localhost${path}`, { ...init, headers });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const index = pair.indexOf("=");
      const name = pair.slice(0, index);
      if (/max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(index + 1));
    }
    return response;
  }

  get(path: string): Promise<Response> {
    return this.request(path);
  }

  post(path: string, form: Record<string, string>, origin = "http://localhost"): Promise<Response> {
    return this.request(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** The value of a hidden CSRF field on a page. */
  static csrf(page: string): string {
    const match = /name="_csrf" value="([^"]+)"/.exec(page);
    if (!match?.[1]) throw new Error("no CSRF field on the page");
    return match[1];
  }

  async signIn(token: string): Promise<Response> {
    const form = await (await this.get("/console/sign-in")).text();
    return this.post("/console/sign-in", { _csrf: Browser.csrf(form), token, next: "/console/approvals" });
  }
}
