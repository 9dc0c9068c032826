import { normalizeParameters, type WorkflowDefinition } from "@kubernaut/workflows";
import { z } from "zod";

/** What a model must answer: the rules investigator's result shape (DESIGN §3.3), as JSON. */
export const Proposal = z
  .object({
    rootCause: z.string().min(1),
    contributingFactors: z.array(z.string()).default([]),
    /** null: no catalog workflow fits (a suggestion follows). */
    workflowId: z.string().nullable(),
    parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    confidence: z.number().min(0).max(1),
    rationale: z.string().min(1),
    alternatives: z.array(z.object({ workflowId: z.string(), whyNot: z.string() }).strict()).default([]),
  })
  .strict();
export type Proposal = z.infer<typeof Proposal>;

export type ProposalCheck = { ok: true; proposal: Proposal } | { ok: false; problem: string };

/**
 * Model output is untrusted input: parsed against the schema, then checked against the catalog (the
 * workflow exists) and that workflow's parameter schema — the same checks an operator's override gets.
 * The problem is phrased for the model, which gets it back to correct itself.
 */
export function checkProposal(text: string, catalog: readonly WorkflowDefinition[]): ProposalCheck {
  let raw: unknown;
  try {
    raw = parseAnswer(text);
  } catch (error) {
    return { ok: false, problem: `the answer is not JSON (${(error as Error).message})` };
  }
  const parsed = Proposal.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    return { ok: false, problem: `the answer does not match the schema: ${problems.join("; ")}` };
  }
  const proposal = parsed.data;
  if (proposal.workflowId === null) return { ok: true, proposal };
  const workflow = catalog.find((w) => w.id === proposal.workflowId);
  if (!workflow) {
    return {
      ok: false,
      problem: `workflow ${proposal.workflowId} is not in the catalog (choose one of: ${catalog.map((w) => w.id).join(", ")}, or null)`,
    };
  }
  const { parameters, problems } = normalizeParameters(workflow, proposal.parameters);
  if (problems.length) return { ok: false, problem: `parameters of ${workflow.id}: ${problems.join("; ")}` };
  // A model may answer "1Gi": the selection keeps canonical bytes, like the rules investigator's.
  return { ok: true, proposal: { ...proposal, parameters } };
}

/** A model's JSON answer, with or without a Markdown code fence around it; throws when it is not JSON. */
export function parseAnswer(text: string): unknown {
  const json = /```(?:json)?\s*([\s\S]*?)```/.exec(text)?.[1] ?? text;
  return JSON.parse(json.trim());
}
