import { A2A_PROTOCOL_VERSION, type AgentCard, type AgentSkill } from "@a2a-js/sdk";

/** Where the JSON-RPC endpoint is mounted, relative to the server's public URL. */
export const A2A_PATH = "/a2a";
export const AGENT_CARD_ROUTE = "/.well-known/agent-card.json";
const BEARER = "bearer";

const skill = (
  id: string,
  name: string,
  description: string,
  inputModes: string[],
  examples: string[],
): AgentSkill => ({
  id,
  name,
  description,
  tags: ["kubernetes", "remediation", "sre"],
  examples,
  inputModes,
  outputModes: ["application/json", "text/plain"],
  securityRequirements: [],
});

/**
 * The agent card (A2A v1.0) served at the well-known path. It declares the bearer scheme the API uses:
 * the same API tokens, and sending a message needs the approver role because it can start a
 * remediation. Only JSON-RPC over POST is offered: a remediation outlives any HTTP request, so clients
 * poll GetTask rather than hold a stream (API Gateway and Lambda would cut it anyway).
 */
export function agentCard(baseUrl: string): AgentCard {
  return {
    name: "Kubernaut",
    description:
      "Remediates Kubernetes workloads: investigates the root cause, picks a workflow from a versioned catalog and — as far as the operator's trust ladder allows — runs it after policy or human approval, then checks whether it worked. A task follows one remediation; a second agent reporting the same workload joins the same remediation.",
    supportedInterfaces: [
      {
        url: `${baseUrl}${A2A_PATH}`,
        protocolBinding: "JSONRPC",
        tenant: "",
        protocolVersion: A2A_PROTOCOL_VERSION,
      },
    ],
    provider: undefined,
    version: "0.1.0",
    capabilities: { streaming: false, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {
      [BEARER]: {
        scheme: {
          $case: "httpAuthSecurityScheme",
          value: {
            description:
              "A Kubernaut API token (configured by its SHA-256). Sending a message needs the approver or admin role; reading tasks, any role.",
            scheme: "Bearer",
            bearerFormat: "",
          },
        },
      },
    },
    securityRequirements: [{ schemes: { [BEARER]: { list: [] } } }],
    defaultInputModes: ["application/json", "text/plain"],
    defaultOutputModes: ["application/json", "text/plain"],
    skills: [
      skill(
        "remediate-signal",
        "Remediate an alert",
        "Send a data part with an alert's labels (Alertmanager's shape, {labels, annotations}, or the label set alone): alertname, namespace, deployment / statefulset / daemonset / job / pod / node, severity, cluster. It goes through the webhook's ingest, dedup included. The task follows the remediation: working, input-required while an approver must decide, then completed / failed / rejected, with the RCA, the decision and the effectiveness result as artifacts.",
        ["application/json"],
        [
          '{"labels": {"alertname": "KubePodCrashLooping", "namespace": "shop", "deployment": "checkout", "severity": "critical"}}',
        ],
      ),
      skill(
        "remediate-described-problem",
        "Remediate a described problem",
        "Send a text part describing the problem; a language model works out which workload it means (natural-language intake) and the result goes through the same ingest. Needs aianalysis.llm on the server. message.metadata.cluster names the cluster when there are several.",
        ["text/plain"],
        ["checkout pods in staging keep restarting since the last deploy"],
      ),
    ],
    signatures: [],
  };
}
