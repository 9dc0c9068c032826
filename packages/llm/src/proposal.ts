import { type ParameterValue, validateParameters, type WorkflowDefinition } from "@kubernaut/workflows";
import { z } from "zod";
import type { ChatMessage, ChatModel } from "./chat";

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
  const json = /```(?:json)?\s*([\s\S]*?)```/.exec(text)?.[1] ?? text;
  let raw: unknown;
  try {
    raw = JSON.parse(json.trim());
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
  const problems = validateParameters(workflow, proposal.parameters as Record<string, ParameterValue>);
  if (problems.length) return { ok: false, problem: `parameters of ${workflow.id}: ${problems.join("; ")}` };
  return { ok: true, proposal };
}

export interface ProposalOutcome {
  result: ProposalCheck;
  attempts: number;
  usage: { inputTokens: number; outputTokens: number; latencyMs: number };
}

/**
 * Asks for a proposal and feeds each validation problem back, up to `attempts` answers in all; the last
 * problem is the reason when none passes (the remediation then goes to a human).
 */
export async function proposeWithCorrection(
  model: ChatModel,
  conversation: readonly ChatMessage[],
  catalog: readonly WorkflowDefinition[],
  attempts = 3,
): Promise<ProposalOutcome> {
  const messages = [...conversation];
  const usage = { inputTokens: 0, outputTokens: 0, latencyMs: 0 };
  let result: ProposalCheck = { ok: false, problem: "no answer" };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const reply = await model.chat(messages);
    usage.inputTokens += reply.usage.inputTokens;
    usage.outputTokens += reply.usage.outputTokens;
    usage.latencyMs += reply.latencyMs;
    result = checkProposal(reply.content, catalog);
    if (result.ok) return { result, attempts: attempt, usage };
    messages.push(
      { role: "assistant", content: reply.content },
      {
        role: "user",
        content: `Your answer was rejected: ${result.problem}. Answer again with only the JSON object.`,
      },
    );
  }
  return {
    result: { ok: false, problem: `rejected ${attempts} times; last: ${result.problem}` },
    attempts,
    usage,
  };
}
