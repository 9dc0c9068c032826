import { type FunctionContext, lambdaFunction } from "./functions";

/**
 * HTTP route groups, each its own Lambda so each stays small (DESIGN §2): ingest (Alertmanager webhook
 * and text intake, which only records the request and starts the intake machine), api (read routes and
 * the trust ladder's controls), approvals (decisions, Slack), agents (MCP) and A2A. What each reads,
 * ships and may call is its entry in packages/runtime/src/functions.ts — permissions are spelled out
 * there instead of `link`, which would grant `dynamodb:*`.
 *
 * `/metrics` is not routed on AWS: every function writes the same metrics as CloudWatch EMF (embedded
 * in its log lines), so CloudWatch Metrics is where they are read and alarmed on.
 */
export async function createApi(context: FunctionContext) {
  const ingest = await lambdaFunction("ingest", context);
  const api = await lambdaFunction("api", context);
  const approvals = await lambdaFunction("approvals", context);
  const agents = await lambdaFunction("agents", context);
  const a2a = await lambdaFunction("a2a", context);

  const http = new sst.aws.ApiGatewayV2("Http");
  for (const [route, fn] of API_ROUTES) http.route(route, { ingest, api, approvals, agents, a2a }[fn].arn);
  return { url: http.url, ingest, api, agents, a2a, approvals };
}

/** Every route API Gateway sends to a function; the stacks test checks each is served by that app. */
export const API_ROUTES = [
  ["POST /api/v1/signals/prometheus", "ingest"],
  ["POST /api/v1/signals/text", "ingest"],
  ["GET /api/v1/intake/{id}", "ingest"],
  ["GET /api/v1/remediations", "api"],
  ["GET /api/v1/remediations/{id}", "api"],
  ["GET /api/v1/workflows", "api"],
  ["PATCH /api/v1/workflows/{id}/trust", "api"],
  ["GET /api/v1/pause", "api"],
  ["PUT /api/v1/pause", "api"],
  ["DELETE /api/v1/pause", "api"],
  ["GET /api/v1/graduation", "api"],
  ["POST /api/v1/fingerprints/{fp}/release", "api"],
  ["GET /api/v1/suggestions", "api"],
  ["GET /api/v1/suggestions/{id}", "api"],
  ["POST /api/v1/suggestions/{id}/workflow", "api"],
  ["GET /healthz", "api"],
  ["GET /api/v1/approvals", "approvals"],
  ["POST /api/v1/approvals/{id}/decision", "approvals"],
  ["POST /api/v1/slack/interactions", "approvals"],
  ["ANY /mcp", "agents"],
  ["GET /.well-known/agent-card.json", "a2a"],
  ["POST /a2a", "a2a"],
] as const;
