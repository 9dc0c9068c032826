import type { Evidence } from "@kubernaut/cluster";
import type { ResourceRef, Signal, SuggestionStep } from "@kubernaut/core";

export interface SuggestedPlan {
  summary: string;
  steps: SuggestionStep[];
  proposedActionType?: string;
}

const where = (target: ResourceRef) =>
  `${target.kind}/${target.name}${target.namespace ? ` in ${target.namespace}` : ""}`;

/** The least invasive catalog action for a kind of target, for a plan that knows nothing better. */
const FALLBACK_ACTION: Record<string, { actionType: string; what: string }> = {
  Deployment: { actionType: "RestartPod", what: "a restart" },
  StatefulSet: { actionType: "RestartPod", what: "a restart" },
  DaemonSet: { actionType: "RestartPod", what: "a restart" },
  Pod: { actionType: "RestartPod", what: "a restart" },
  Node: { actionType: "CordonDrainNode", what: "cordoning and draining the node" },
};

/**
 * The rule templates behind a suggestion (DESIGN §3.3), tried in order against the evidence; the last
 * one always matches. Each names what a human should look at first and, where one applies, the catalog
 * action type that would do the fix — that becomes the default of a workflow made from the suggestion.
 */
const TEMPLATES: Array<{
  matches: (evidence: Evidence | undefined, signal: Signal) => boolean;
  plan: (target: ResourceRef, signal: Signal, evidence: Evidence | undefined) => SuggestedPlan;
}> = [
  {
    matches: (e) =>
      Boolean(e?.pods.some((p) => p.waiting === "ErrImagePull" || p.waiting === "ImagePullBackOff")),
    plan: (target) => ({
      summary: `pods of ${where(target)} cannot pull their image`,
      steps: [
        {
          kind: "investigate",
          description:
            "Check that the image tag exists in the registry (kubectl describe pod: the pull error).",
        },
        {
          kind: "investigate",
          description: "Check the pull secret and the registry's reachability from the nodes.",
        },
        {
          kind: "action",
          description: "Once the image can be pulled, restart the pods.",
          actionType: "RestartPod",
        },
      ],
      proposedActionType: "RestartPod",
    }),
  },
  {
    matches: (e) => Boolean(e?.pods.some((p) => p.phase === "Pending" && !p.node)),
    plan: (target) => ({
      summary: `pods of ${where(target)} cannot be scheduled`,
      steps: [
        {
          kind: "investigate",
          description: "Read the FailedScheduling events: insufficient CPU or memory, taints, affinity.",
        },
        {
          kind: "investigate",
          description: "Compare the pods' requests with the nodes' allocatable capacity.",
        },
        {
          kind: "action",
          description: "If capacity is the limit, scale the workload down until nodes are added.",
          actionType: "ScaleReplicas",
        },
      ],
      proposedActionType: "ScaleReplicas",
    }),
  },
  {
    matches: (e) => Boolean(e?.nodes.some((n) => !n.ready || n.pressure.length > 0)),
    plan: (target, _signal, evidence) => {
      const node = evidence?.nodes.find((n) => !n.ready || n.pressure.length > 0);
      return {
        summary: `${where(target)} runs on node ${node?.name}, which is ${node?.ready ? node.pressure.join(", ") : "NotReady"}`,
        steps: [
          {
            kind: "investigate",
            description: `Check node ${node?.name}: kubelet, disk and memory pressure.`,
          },
          {
            kind: "action",
            description: `Cordon and drain ${node?.name} so the pods move.`,
            actionType: "CordonDrainNode",
          },
        ],
        proposedActionType: "CordonDrainNode",
      };
    },
  },
  {
    matches: () => true,
    plan: (target, signal) => {
      const description = signal.annotations?.description ?? signal.annotations?.summary;
      const runbook = signal.annotations?.runbook_url;
      const action = FALLBACK_ACTION[target.kind];
      return {
        summary: `${signal.alertName} on ${where(target)}: no workflow addresses this alert`,
        steps: [
          {
            kind: "investigate",
            description: `Confirm what ${signal.alertName} means${description ? ` ("${description}")` : ""}${runbook ? `; its runbook: ${runbook}` : ""}.`,
          },
          { kind: "investigate", description: `Read the recent events and logs of ${where(target)}.` },
          ...(action
            ? [
                {
                  kind: "action" as const,
                  description: `If ${action.what} is the known fix, register a workflow for this alert from this suggestion.`,
                  actionType: action.actionType,
                },
              ]
            : []),
        ],
        ...(action ? { proposedActionType: action.actionType } : {}),
      };
    },
  },
];

/** A plan for a human when no workflow matches; pure, so every template is table-tested. */
export function suggestPlan(
  signal: Signal,
  target: ResourceRef,
  evidence: Evidence | undefined,
): SuggestedPlan {
  const template = TEMPLATES.find((t) => t.matches(evidence, signal)) ?? TEMPLATES[TEMPLATES.length - 1];
  return (template as (typeof TEMPLATES)[number]).plan(target, signal, evidence);
}
