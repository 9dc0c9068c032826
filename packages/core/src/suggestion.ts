import { z } from "zod";
import { ResourceRef } from "./remediation";

/** One step of a suggested plan: something to look at, or an action a catalog action type can do. */
export const SuggestionStep = z
  .object({
    kind: z.enum(["investigate", "action"]),
    description: z.string().min(1),
    /** For actions: the catalog action type that would do it. */
    actionType: z.string().optional(),
  })
  .strict();
export type SuggestionStep = z.infer<typeof SuggestionStep>;

/**
 * What analysis leaves for a human when no workflow matches (DESIGN §3.3): a step-by-step plan from
 * rule templates, stored and notified for review. A reviewer can turn it into a registered workflow,
 * which starts at trust level `observe`.
 */
export const Suggestion = z
  .object({
    id: z.string(),
    remediationId: z.string(),
    fingerprint: z.string(),
    alertName: z.string(),
    target: ResourceRef,
    summary: z.string(),
    steps: z.array(SuggestionStep).min(1),
    /** The action type the plan's action step uses, when it has one: the default for a new workflow. */
    proposedActionType: z.string().optional(),
    status: z.enum(["Open", "Converted"]),
    createdAt: z.string(),
    convertedTo: z.object({ workflowId: z.string(), by: z.string(), at: z.string() }).optional(),
  })
  .strict();
export type Suggestion = z.infer<typeof Suggestion>;

/** One suggestion per remediation: a retried analysis writes the same one. */
export const suggestionIdFor = (remediationId: string) => `sug-${remediationId}`;
