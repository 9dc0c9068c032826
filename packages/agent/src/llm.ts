import { type ClusterAccess, type Evidence, gatherEvidence } from "@kubernaut/cluster";
import type { Analysis, RemediationRequest } from "@kubernaut/core";
import { activeAlerts, promInstant } from "@kubernaut/effectiveness";
import {
  alignWithModel,
  type Budget,
  type ChatModel,
  ModelError,
  runInvestigation,
  systemPrompt,
  type Tool,
} from "@kubernaut/llm";
import type { WorkflowDefinition } from "@kubernaut/workflows";

const SECTIONS = [
  "target",
  "pods",
  "events",
  "logs",
  "rollout",
  "resources",
  "nodes",
  "hpa",
  "detectedLabels",
] as const;

/** The model's read-only view of the cluster: the gathered evidence by section, and logs with grep. */
/** Where the model may read alerts and metrics (the effectiveness monitor's endpoints), when configured. */
export interface Observability {
  alertmanagerUrl?: string;
  prometheusUrl?: string;
}

function observabilityTools(observability: Observability, namespace: string | undefined): Tool[] {
  const tools: Tool[] = [];
  const { alertmanagerUrl, prometheusUrl } = observability;
  if (alertmanagerUrl)
    tools.push({
      spec: {
        name: "active_alerts",
        description:
          "Alerts Alertmanager has active in the target's namespace (or cluster-wide for cluster-scoped targets).",
        parameters: { type: "object", properties: { alertname: { type: "string" } } },
      },
      run: async ({ alertname }) => {
        const alerts = await activeAlerts(alertmanagerUrl, {
          ...(namespace ? { namespace } : {}),
          ...(typeof alertname === "string" && alertname ? { alertname } : {}),
        });
        return alerts === undefined
          ? "Alertmanager did not answer"
          : JSON.stringify(alerts.map((a) => a.labels));
      },
    });
  if (prometheusUrl)
    tools.push({
      spec: {
        name: "prometheus_query",
        description: "One PromQL instant query (now); returns the first sample's value.",
        parameters: { type: "object", properties: { query: { type: "string" } }, required: ["query"] },
      },
      run: async ({ query }) => {
        if (typeof query !== "string" || !query) return "a query is required";
        const value = await promInstant(prometheusUrl, query, new Date());
        return value === undefined ? "no data (or Prometheus did not answer)" : `${query} = ${value}`;
      },
    });
  return tools;
}

function toolsFor(access: ClusterAccess, evidence: Evidence, namespace: string | undefined): Tool[] {
  return [
    {
      spec: {
        name: "evidence",
        description: `One section of what inspection gathered about the target: ${SECTIONS.join(", ")}.`,
        parameters: {
          type: "object",
          properties: { section: { type: "string", enum: [...SECTIONS] } },
          required: ["section"],
        },
      },
      run: async ({ section }) => {
        if (!SECTIONS.includes(section as (typeof SECTIONS)[number]))
          return `unknown section; one of ${SECTIONS.join(", ")}`;
        return JSON.stringify(
          (evidence as unknown as Record<string, unknown>)[section as string] ?? null,
          null,
          1,
        );
      },
    },
    {
      spec: {
        name: "get_logs",
        description:
          "A pod's container log (the previous container's with previous=true), optionally only lines matching grep.",
        parameters: {
          type: "object",
          properties: {
            pod: { type: "string" },
            container: { type: "string" },
            previous: { type: "boolean" },
            grep: { type: "string" },
            tailLines: { type: "integer", minimum: 1, maximum: 500 },
          },
          required: ["pod"],
        },
      },
      run: async ({ pod, container, previous, grep, tailLines }) => {
        if (!namespace) return "the target is not namespaced: no pod logs";
        if (!evidence.pods.some((p) => p.name === pod))
          return `pod ${String(pod)} is not one of the target's pods`;
        const text = await access.core.readNamespacedPodLog({
          name: String(pod),
          namespace,
          previous: previous === true,
          tailLines: Math.min(500, Math.max(1, Number(tailLines) || 100)),
          ...(typeof container === "string" ? { container } : {}),
        });
        if (typeof grep !== "string" || !grep) return String(text);
        return String(text)
          .split("\n")
          .filter((line) => line.toLowerCase().includes(grep.toLowerCase()))
          .join("\n");
      },
    },
  ];
}

/**
 * The LLM investigator (DESIGN §3.3): the same evidence as the rules, explored by a model through
 * read-only tools; its answer is validated against the catalog and the parameter schema before it
 * becomes a selection. A model that fails (refused, timed out, out of budget, never valid) yields no
 * selection and says why in `failure` — the remediation then goes to a human, never to execution.
 */
export async function investigateWithModel(
  model: ChatModel,
  access: ClusterAccess,
  rr: RemediationRequest,
  catalog: readonly WorkflowDefinition[],
  budget: Budget,
  observability: Observability = {},
  /** The second evaluation's model (`aianalysis.llm.phases.alignment`); the same one by default. */
  alignmentModel: ChatModel = model,
): Promise<Analysis> {
  const target = rr.targetResource;
  const evidence = await gatherEvidence(access, {
    kind: target.kind,
    name: target.name,
    ...(target.namespace ? { namespace: target.namespace } : {}),
  });
  const task = [
    `Alert ${rr.signal.alertName} (severity ${rr.signal.severity}) on ${target.kind}/${target.name}${target.namespace ? ` in ${target.namespace}` : ""}.`,
    `Alert labels: ${JSON.stringify(rr.signal.labels)}`,
    "Investigate with the tools, then answer with the JSON object.",
  ].join("\n");
  const failed = (failure: string, usage?: Analysis["usage"]): Analysis => ({
    investigator: `llm:${model.model}`,
    actionable: true,
    confidence: 0,
    parameters: {},
    rootCause: `the model's investigation produced no usable selection: ${failure}`,
    rationale: "model output never reaches the cluster unchecked; a human decides",
    aligned: false,
    failure,
    evidence: evidence as unknown as Record<string, unknown>,
    ...(usage ? { usage } : {}),
  });
  let outcome: Awaited<ReturnType<typeof runInvestigation>>;
  try {
    outcome = await runInvestigation(
      model,
      { system: systemPrompt(catalog), task },
      [
        ...toolsFor(access, evidence, target.namespace),
        ...observabilityTools(observability, target.namespace),
      ],
      catalog,
      budget,
    );
  } catch (error) {
    if (error instanceof ModelError) return failed(`${error.code}: ${error.message}`);
    throw error;
  }
  let usage = { ...outcome.usage, turns: outcome.turns, toolCalls: outcome.toolCalls };
  if (!outcome.result.ok) return failed(outcome.result.problem, usage);
  const proposal = outcome.result.proposal;
  const workflow = proposal.workflowId ? catalog.find((w) => w.id === proposal.workflowId) : undefined;
  // The second evaluation: its own prompt, the evidence and the proposal only; fails closed.
  const alignment = workflow
    ? await alignWithModel(alignmentModel, {
        alert: rr.signal.alertName,
        target: `${target.kind}/${target.name}${target.namespace ? ` in ${target.namespace}` : ""}`,
        evidence,
        proposal: { workflowId: workflow.id, parameters: proposal.parameters, rootCause: proposal.rootCause },
      })
    : { aligned: true, reason: "" };
  if ("usage" in alignment && alignment.usage) {
    usage = {
      ...usage,
      inputTokens: usage.inputTokens + alignment.usage.inputTokens,
      outputTokens: usage.outputTokens + alignment.usage.outputTokens,
      latencyMs: usage.latencyMs + alignment.usage.latencyMs,
    };
  }
  return {
    investigator: `llm:${model.model}`,
    actionable: true,
    ...(workflow
      ? { workflowId: workflow.id, workflowVersion: workflow.version, actionType: workflow.actionType }
      : {}),
    confidence: proposal.confidence,
    parameters: proposal.parameters,
    rootCause: proposal.rootCause,
    rationale: `${proposal.rationale}${proposal.contributingFactors.length ? `; factors: ${proposal.contributingFactors.join("; ")}` : ""}${alignment.aligned ? "" : `; the alignment model disagreed: ${alignment.reason}`}`,
    aligned: alignment.aligned,
    evidence: {
      ...(evidence as unknown as Record<string, unknown>),
      ...(proposal.alternatives.length ? { alternatives: proposal.alternatives } : {}),
    },
    usage,
  };
}
