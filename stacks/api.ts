import { HTTP_ROUTES } from "@kubernaut/runtime/functions";
import { type FunctionContext, lambdaFunction } from "./functions";

/**
 * HTTP route groups, each its own Lambda so each stays small (DESIGN §2): ingest (Alertmanager webhook
 * and text intake, which only records the request and starts the intake machine), api (read routes and
 * the trust ladder's controls), approvals (decisions, Slack), agents (MCP) and A2A. What each reads,
 * ships and may call — and which routes it serves — is in packages/runtime/src/functions.ts;
 * permissions are spelled out there instead of `link`, which would grant `dynamodb:*`.
 *
 * `/metrics` is not routed on AWS: every function writes the same metrics as CloudWatch EMF (embedded
 * in its log lines), so CloudWatch Metrics is where they are read and alarmed on.
 */
export async function createApi(context: FunctionContext) {
  const functions = {
    ingest: await lambdaFunction("ingest", context),
    api: await lambdaFunction("api", context),
    approvals: await lambdaFunction("approvals", context),
    agents: await lambdaFunction("agents", context),
    a2a: await lambdaFunction("a2a", context),
  };
  const http = new sst.aws.ApiGatewayV2("Http");
  for (const [route, fn] of HTTP_ROUTES) if (fn !== "console") http.route(route, functions[fn].arn);
  return { url: http.url, ...functions };
}
