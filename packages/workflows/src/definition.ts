import { z } from "zod";
import { parseQuantity, QuantityError } from "./quantity";

/** A bound: a number, or for quantities a Kubernetes quantity ("16Mi"), stored in bytes. */
const Bound = z.union([z.number(), z.string()]).transform((value, ctx) => {
  try {
    return parseQuantity(value);
  } catch (error) {
    if (typeof value === "number") return value;
    ctx.addIssue({ code: "custom", message: error instanceof QuantityError ? error.message : String(error) });
    return z.NEVER;
  }
});

/** One parameter of a workflow; analysis resolves it to an absolute value before anything runs. */
export const ParameterSpec = z
  .object({
    type: z.enum(["integer", "number", "string", "boolean", "quantity"]),
    description: z.string().min(1),
    required: z.boolean().default(false),
    minimum: Bound.optional(),
    maximum: Bound.optional(),
    enum: z.array(z.string()).min(1).optional(),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  })
  .strict();
export type ParameterSpec = z.infer<typeof ParameterSpec>;

export const WorkflowDefinition = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+-v\d+$/, "must look like name-vN"),
    version: z.string().regex(/^\d+\.\d+\.\d+$/, "must be semver"),
    actionType: z.string().regex(/^[A-Z][A-Za-z]+$/),
    description: z
      .object({
        what: z.string().min(1),
        whenToUse: z.string().min(1),
        whenNotToUse: z.string().min(1),
        preconditions: z.array(z.string()).default([]),
      })
      .strict(),
    /** Alert names this workflow addresses: the selection key until the investigators land. */
    signals: z.array(z.string().min(1)).min(1),
    targetKinds: z.array(z.string().min(1)).min(1),
    parameters: z.record(z.string(), ParameterSpec).default({}),
    /** Whether it changes the target's spec (refused on GitOps-managed targets, DESIGN §3.7). */
    changesSpec: z.boolean(),
    reversible: z.boolean(),
    /** How much it may touch, for the approval message and the graduation report. */
    blastRadius: z.string().min(1),
  })
  .strict();
export type WorkflowDefinition = z.infer<typeof WorkflowDefinition>;
export type WorkflowDefinitionInput = z.input<typeof WorkflowDefinition>;

export class InvalidWorkflowError extends Error {
  constructor(
    readonly workflowId: string,
    readonly problems: string[],
  ) {
    super(`workflow ${workflowId} is invalid: ${problems.join("; ")}`);
    this.name = "InvalidWorkflowError";
  }
}

/** Validates a definition; a catalog never holds one that fails, and the reason names the field. */
export function defineWorkflow(input: WorkflowDefinitionInput): WorkflowDefinition {
  const result = WorkflowDefinition.safeParse(input);
  if (!result.success) {
    throw new InvalidWorkflowError(
      typeof (input as { id?: unknown } | null)?.id === "string" ? (input as { id: string }).id : "(no id)",
      result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`),
    );
  }
  for (const [name, spec] of Object.entries(result.data.parameters)) {
    if (spec.minimum !== undefined && spec.maximum !== undefined && spec.minimum > spec.maximum) {
      throw new InvalidWorkflowError(result.data.id, [`parameters.${name}: minimum is above maximum`]);
    }
  }
  return result.data;
}
