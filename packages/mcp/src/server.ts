import { OUTCOMES, PHASES } from "@kubernaut/core";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { ApiAnswer, CallerApi } from "./api-client";

const Phase = z.enum(PHASES).optional();
const Outcome = z.enum(OUTCOMES).optional();
const RemediationId = z.string().regex(/^rr-[a-z0-9-]+$/, "a remediation id (rr-…)");
const ApprovalId = z.string().regex(/^rar-[a-z0-9-]+$/, "an approval request id (rar-…)");
const ParameterValue = z.union([z.string(), z.number(), z.boolean()]);

/** A tool's answer: the API's JSON, or its error (status, code, message) marked as an error. */
function answer({ status, body }: ApiAnswer, pick: (body: never) => unknown = (b) => b): CallToolResult {
  if (status >= 400) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    return {
      isError: true,
      content: [
        { type: "text", text: `${status} ${error?.code ?? "error"}: ${error?.message ?? String(body)}` },
      ],
    };
  }
  return { content: [{ type: "text", text: JSON.stringify(pick(body as never), null, 2) }] };
}

const query = (params: Record<string, string | number | undefined>) => {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined) as Array<
    [string, string | number]
  >;
  return entries.length
    ? `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}`
    : "";
};

interface RemediationView {
  remediation: {
    id: string;
    phase: string;
    outcome?: string;
    targetResource: unknown;
    signal: { alertName: string; severity: string };
    analysis?: Record<string, unknown>;
  };
  timeline: Array<{ seq: number; type: string; at: string; actor: unknown; details?: unknown }>;
}

/**
 * The MCP server for one caller (DESIGN §2: its own route group). Tools read and act through the API
 * with the caller's token; the server itself holds no state, so each HTTP request can build a new one
 * (stateless Streamable HTTP, which is what a Lambda can serve).
 */
export function createMcpServer(api: CallerApi): McpServer {
  const server = new McpServer({ name: "kubernaut", version: "0.1.0" });

  server.registerTool(
    "list_remediations",
    {
      description:
        "Remediations, newest first, optionally filtered by phase, outcome, namespace or fingerprint.",
      inputSchema: {
        phase: Phase,
        outcome: Outcome,
        namespace: z.string().optional(),
        fingerprint: z.string().optional(),
        limit: z.number().int().min(1).max(100).optional(),
      },
      annotations: { readOnlyHint: true },
    },
    async (args) => answer(await api.call("GET", `/api/v1/remediations${query(args)}`)),
  );

  server.registerTool(
    "show_remediation",
    {
      description: "One remediation: its phase, outcome, target, signal, analysis and the audit timeline.",
      inputSchema: { id: RemediationId },
      annotations: { readOnlyHint: true },
    },
    async ({ id }) => answer(await api.call("GET", `/api/v1/remediations/${id}`)),
  );

  server.registerTool(
    "explain_rca",
    {
      description:
        "The root-cause analysis of a remediation: root cause, contributing factors, selected workflow and parameters, confidence, rationale, alignment, and the evidence it rests on.",
      inputSchema: { id: RemediationId },
      annotations: { readOnlyHint: true },
    },
    async ({ id }) =>
      answer(await api.call("GET", `/api/v1/remediations/${id}`), (view: RemediationView) => {
        const { remediation } = view;
        const analysis = remediation.analysis;
        if (!analysis) return { id, phase: remediation.phase, analysis: "not analysed yet" };
        return {
          id,
          phase: remediation.phase,
          alert: remediation.signal.alertName,
          target: remediation.targetResource,
          rootCause: analysis.rootCause,
          contributingFactors: analysis.contributingFactors,
          workflowId: analysis.workflowId ?? null,
          parameters: analysis.parameters,
          confidence: analysis.confidence,
          rationale: analysis.rationale,
          aligned: analysis.aligned,
          investigator: analysis.investigator,
          evidence: analysis.evidence,
        };
      }),
  );

  server.registerTool(
    "list_pending_approvals",
    {
      description:
        "Approval requests waiting for a decision, with their deadline, workflow, parameters and policy reason.",
      inputSchema: { limit: z.number().int().min(1).max(200).optional() },
      annotations: { readOnlyHint: true },
    },
    async ({ limit }) => answer(await api.call("GET", `/api/v1/approvals${query({ limit })}`)),
  );

  server.registerTool(
    "decide_approval",
    {
      description:
        "Approve or reject an approval request; to approve with changes give workflowName, parameters (absolute values; memory as a Kubernetes quantity such as 768Mi) and a rationale. Same rules as the API: your scope, the parameter schema, and the policy re-evaluated on overrides.",
      inputSchema: {
        approvalId: ApprovalId,
        decision: z.enum(["Approved", "Rejected"]),
        message: z.string().max(2000).optional(),
        workflowName: z.string().optional(),
        parameters: z.record(z.string(), ParameterValue).optional(),
        rationale: z.string().max(2000).optional(),
      },
      annotations: { destructiveHint: true, idempotentHint: false },
    },
    async ({ approvalId, decision, message, workflowName, parameters, rationale }) => {
      const override =
        workflowName || parameters
          ? {
              workflowOverride: {
                workflowName: workflowName ?? "",
                parameters: parameters ?? {},
                rationale: rationale ?? "",
              },
            }
          : {};
      return answer(
        await api.call("POST", `/api/v1/approvals/${approvalId}/decision`, {
          decision,
          ...(message ? { message } : {}),
          ...override,
        }),
      );
    },
  );

  server.registerTool(
    "graduation_report",
    {
      description:
        "Each workflow's trust level, statistics and whether it has earned the next level, with the evidence.",
      inputSchema: {},
      annotations: { readOnlyHint: true },
    },
    async () => answer(await api.call("GET", "/api/v1/graduation")),
  );

  server.registerTool(
    "pause",
    {
      description: "The kill switch: stop all execution (admin). Remediations still analyse and report.",
      inputSchema: { reason: z.string().min(1).max(2000) },
      annotations: { destructiveHint: true },
    },
    async ({ reason }) => answer(await api.call("PUT", "/api/v1/pause", { reason })),
  );

  server.registerTool(
    "resume",
    {
      description: "Lift the kill switch (admin).",
      inputSchema: {},
      annotations: { destructiveHint: true },
    },
    async () => answer(await api.call("DELETE", "/api/v1/pause")),
  );

  server.registerTool(
    "investigate_text",
    {
      description:
        "Start an investigation from a description of a problem (natural-language intake; needs a configured model). Returns an intake id; poll it with intake_status.",
      inputSchema: { text: z.string().min(10).max(4000), cluster: z.string().optional() },
    },
    async ({ text, cluster }) =>
      answer(await api.call("POST", "/api/v1/signals/text", { text, ...(cluster ? { cluster } : {}) })),
  );

  server.registerTool(
    "intake_status",
    {
      description: "The state of a text intake and the remediation it led to.",
      inputSchema: { intakeId: z.string().regex(/^in-[a-z0-9-]+$/, "an intake id (in-…)") },
      annotations: { readOnlyHint: true },
    },
    async ({ intakeId }) => answer(await api.call("GET", `/api/v1/intake/${intakeId}`)),
  );

  server.registerResource(
    "remediation-timeline",
    new ResourceTemplate("kubernaut://remediations/{id}/timeline", { list: undefined }),
    {
      description: "A remediation's audit timeline (hash-chained), oldest first.",
      mimeType: "application/json",
    },
    async (uri, { id }) => {
      const parsed = RemediationId.safeParse(id);
      if (!parsed.success) throw new Error(`${uri.href}: ${parsed.error.issues[0]?.message}`);
      const { status, body } = await api.call("GET", `/api/v1/remediations/${parsed.data}`);
      if (status >= 400) {
        const error = (body as { error?: { message?: string } } | null)?.error;
        throw new Error(`${status}: ${error?.message ?? "the remediation could not be read"}`);
      }
      const view = body as RemediationView;
      return {
        contents: [
          {
            uri: uri.href,
            mimeType: "application/json",
            text: JSON.stringify(
              { id: parsed.data, phase: view.remediation.phase, timeline: view.timeline },
              null,
              2,
            ),
          },
        ],
      };
    },
  );

  return server;
}
