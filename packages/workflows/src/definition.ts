import { InvalidDurationError, parseDuration } from "@kubernaut/core";
import { z } from "zod";
import { ACTION_TYPES, ACTIONS, type ActionType, isActionType, parseActionInput } from "./actions";
import { parseQuantity, QuantityError } from "./quantity";
import { render, TemplateError, type TemplateReference, templatesIn } from "./template";

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

const StepName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?$/, "must be lowercase letters, digits and dashes");

/** The longest a Job step may run: a remediation that waits longer needs a person, not a timeout. */
export const MAX_JOB_TIMEOUT_MS = 6 * 3_600_000;

/**
 * A Job step: a container run to completion in the target's cluster (an operator's runbook script).
 * Every text field is templated. `timeout` is required (checked below, with its own reason): a Job that
 * hangs must not hold the remediation, its lease and its target for ever.
 */
export const JobSpec = z
  .object({
    image: z.string().min(1),
    command: z.array(z.string()).optional(),
    args: z.array(z.string()).default([]),
    env: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name"),
        z.string(),
      )
      .default({}),
    /** Where the Job runs; the target's namespace unless said (a cluster-scoped target needs one). */
    namespace: z.string().min(1).optional(),
    serviceAccount: z.string().min(1).optional(),
    /** A Go-style duration ("10m"); becomes the Job's activeDeadlineSeconds. */
    timeout: z.string().min(1).optional(),
    /** Pod failures the Job retries before it fails (Kubernetes' backoffLimit). */
    backoffLimit: z.number().int().min(0).max(10).default(0),
  })
  .strict();
export type JobSpec = z.infer<typeof JobSpec>;

/** One step as written: a built-in action with its input (`with:`), or a Job. */
const StepInput = z
  .object({
    name: StepName,
    action: z.string().min(1).optional(),
    with: z.record(z.string(), z.unknown()).optional(),
    job: JobSpec.optional(),
  })
  .strict();

export type WorkflowStep =
  | { name: string; action: ActionType; with: Record<string, unknown> }
  | { name: string; job: JobSpec & { timeout: string } };

export const TRUST_LEVELS = ["observe", "approve", "automate"] as const;

/**
 * The workflow format (DESIGN §4, issue 23): one schema for the built-in catalog, the YAML files of the
 * catalog directory, the API and workflows registered from suggestions. `steps` may be left out for the
 * one-step shorthand (an `actionType` that is an action, taking the parameters it knows), which is what
 * older stored registrations look like.
 */
export const WorkflowFile = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+-v\d+$/, "must look like name-vN"),
    version: z.string().regex(/^\d+\.\d+\.\d+$/, "must be semver"),
    /**
     * What the approval policy sees as `input.action_type` (Kubernaut's taxonomy, e.g.
     * RollbackDeployment). A one-action workflow defaults to its action; others must name one.
     */
    actionType: z
      .string()
      .regex(/^[A-Z][A-Za-z]+$/)
      .optional(),
    description: z
      .object({
        what: z.string().min(1),
        whenToUse: z.string().min(1),
        whenNotToUse: z.string().min(1),
        preconditions: z.array(z.string()).default([]),
      })
      .strict(),
    /** Alert names this workflow addresses (compared by signal type). */
    signals: z.array(z.string().min(1)).min(1),
    targetKinds: z.array(z.string().min(1)).min(1),
    parameters: z.record(z.string(), ParameterSpec).default({}),
    /** Whether it changes the target's spec (refused on GitOps-managed targets); derived from the steps unless said. */
    changesSpec: z.boolean().optional(),
    reversible: z.boolean(),
    /** How much it may touch, for the approval message and the graduation report. */
    blastRadius: z.string().min(1),
    /** Where a new version starts on the trust ladder; `observe` (Level 2) unless the operator says otherwise. */
    initialTrust: z.enum(TRUST_LEVELS).optional(),
    steps: z.array(StepInput).min(1).max(20).optional(),
  })
  .strict();
export type WorkflowDefinitionInput = z.input<typeof WorkflowFile>;

export type WorkflowDefinition = {
  id: string;
  version: string;
  actionType: string;
  description: { what: string; whenToUse: string; whenNotToUse: string; preconditions: string[] };
  signals: string[];
  targetKinds: string[];
  parameters: Record<string, ParameterSpec>;
  changesSpec: boolean;
  reversible: boolean;
  blastRadius: string;
  initialTrust?: (typeof TRUST_LEVELS)[number];
  steps: WorkflowStep[];
};

export class InvalidWorkflowError extends Error {
  constructor(
    readonly workflowId: string,
    readonly problems: string[],
  ) {
    super(`workflow ${workflowId} is invalid: ${problems.join("; ")}`);
    this.name = "InvalidWorkflowError";
  }
}

/** A value of the parameter's type, for rendering a step's templates once at validation. */
function sampleValue(spec: ParameterSpec): string | number | boolean {
  if (spec.default !== undefined)
    return spec.type === "quantity" && typeof spec.default === "string"
      ? parseQuantity(spec.default)
      : spec.default;
  switch (spec.type) {
    case "boolean":
      return true;
    case "string":
      return spec.enum?.[0] ?? "sample";
    case "quantity":
      return spec.minimum ?? 64 * 1024 ** 2;
    default:
      return spec.minimum ?? Math.min(1, spec.maximum ?? 1);
  }
}

/**
 * Parses a workflow and checks what a schema cannot: every action is one Kubernaut can take on every
 * declared target kind; every `{{ parameters.x }}` is declared; every step renders, with sample values
 * of each parameter's type, to what its action takes; every Job has a timeout. Problems are
 * `path: reason`, the path into the definition (`steps.1.job.timeout`).
 */
export function parseWorkflow(
  input: unknown,
): { ok: true; definition: WorkflowDefinition } | { ok: false; problems: string[] } {
  const parsed = WorkflowFile.safeParse(input);
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`),
    };
  const file = parsed.data;
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(file.parameters)) {
    if (spec.minimum !== undefined && spec.maximum !== undefined && spec.minimum > spec.maximum)
      problems.push(`parameters.${name}: minimum is above maximum`);
  }
  const steps = file.steps ?? shorthandSteps(file, problems);
  const names = new Set<string>();
  const normalized: WorkflowStep[] = [];
  steps.forEach((step, i) => {
    const at = `steps.${i}`;
    if (names.has(step.name)) problems.push(`${at}.name: another step is already called ${step.name}`);
    names.add(step.name);
    const checked = checkStep(step, at, file, problems);
    if (checked) normalized.push(checked);
  });
  const actions = normalized.flatMap((s) => ("action" in s ? [s.action] : []));
  const actionType =
    file.actionType ?? (normalized.length === 1 && actions.length === 1 ? actions[0] : undefined);
  if (!actionType && steps.length > 0)
    problems.push(
      "actionType: a workflow of several steps, or of a Job, names its action type (what the approval policy sees as input.action_type)",
    );
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    definition: {
      id: file.id,
      version: file.version,
      actionType: actionType as string,
      description: file.description,
      signals: file.signals,
      targetKinds: file.targetKinds,
      parameters: file.parameters,
      changesSpec: file.changesSpec ?? actions.some((a) => ACTIONS[a].changesSpec),
      reversible: file.reversible,
      blastRadius: file.blastRadius,
      ...(file.initialTrust ? { initialTrust: file.initialTrust } : {}),
      steps: normalized,
    },
  };
}

type ParsedFile = z.output<typeof WorkflowFile>;
type ParsedStep = z.output<typeof StepInput>;

/**
 * The one-step shorthand: `actionType` names the action, and each declared parameter the action takes
 * is passed through — how workflows registered from suggestions were stored before steps existed.
 */
function shorthandSteps(file: ParsedFile, problems: string[]): ParsedStep[] {
  if (!file.actionType) {
    problems.push("steps: a workflow names its steps (or, for one action, only its actionType)");
    return [];
  }
  if (!isActionType(file.actionType)) {
    problems.push(
      `actionType: ${file.actionType} is not an action a step can take (known: ${ACTION_TYPES.join(", ")}); list the workflow's steps`,
    );
    return [];
  }
  const takes = Object.keys(ACTIONS[file.actionType].input.shape);
  return [
    {
      name: kebab(file.actionType),
      action: file.actionType,
      with: Object.fromEntries(
        Object.keys(file.parameters)
          .filter((name) => takes.includes(name))
          .map((name) => [name, `{{ parameters.${name} }}`]),
      ),
    },
  ];
}

const kebab = (name: string) => name.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase();

function checkStep(
  step: ParsedStep,
  at: string,
  file: ParsedFile,
  problems: string[],
): WorkflowStep | undefined {
  const before = problems.length;
  if ((step.action === undefined) === (step.job === undefined)) {
    problems.push(`${at}: a step has either an action or a job`);
    return undefined;
  }
  if (step.job && step.with !== undefined)
    problems.push(`${at}.with: a Job step takes its inputs as args and env, not with`);
  const body = step.job ? { job: step.job } : { with: step.with ?? {} };
  for (const { path, reference } of templatesIn(body)) {
    if (typeof reference === "string") problems.push(`${at}.${path}: ${reference}`);
    else if (!declared(reference, file))
      problems.push(
        `${at}.${path}: refers to parameter ${reference.name}, which the workflow does not declare under parameters`,
      );
  }
  if (problems.length > before) return undefined;
  const context = {
    parameters: Object.fromEntries(
      Object.entries(file.parameters).map(([name, spec]) => [name, sampleValue(spec)]),
    ),
    specs: file.parameters,
    target: { kind: file.targetKinds[0] ?? "Deployment", name: "sample", namespace: "sample" },
    remediation: { id: "rr-sample" },
  };
  if (step.action !== undefined) {
    if (!isActionType(step.action)) {
      problems.push(`${at}.action: unknown action ${step.action} (known: ${ACTION_TYPES.join(", ")})`);
      return undefined;
    }
    const action = step.action;
    const kinds: readonly string[] = ACTIONS[action].targetKinds;
    const unsupported = file.targetKinds.filter((kind) => !kinds.includes(kind));
    if (unsupported.length > 0)
      problems.push(
        `${at}.action: ${action} cannot act on ${unsupported.join(", ")} (it acts on ${ACTIONS[action].targetKinds.join(", ")})`,
      );
    try {
      const input = parseActionInput(action, render(step.with ?? {}, context, "with"));
      if (!input.ok)
        problems.push(
          ...input.problems.map(
            (p) => `${at}.with.${p} (rendered with sample values of the parameters' types)`,
          ),
        );
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      problems.push(`${at}.${error.path}: ${error.message}`);
    }
    return problems.length > before ? undefined : { name: step.name, action, with: step.with ?? {} };
  }
  const job = step.job as JobSpec;
  if (job.timeout === undefined) {
    problems.push(
      `${at}.job.timeout: a Job step needs a timeout (e.g. 10m), so a Job that hangs cannot hold the remediation and its target`,
    );
  } else {
    try {
      const ms = parseDuration(job.timeout);
      if (ms < 1_000 || ms > MAX_JOB_TIMEOUT_MS)
        problems.push(`${at}.job.timeout: must be between 1s and 6h`);
    } catch (error) {
      if (!(error instanceof InvalidDurationError)) throw error;
      problems.push(`${at}.job.timeout: ${error.message}`);
    }
  }
  if (!job.namespace && file.targetKinds.some((kind) => kind === "Node"))
    problems.push(`${at}.job.namespace: a Node has no namespace: say where the Job runs`);
  try {
    render(job, context, "job");
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    problems.push(`${at}.${error.path}: ${error.message}`);
  }
  return problems.length > before
    ? undefined
    : { name: step.name, job: { ...job, timeout: job.timeout as string } };
}

function declared(reference: TemplateReference, file: ParsedFile): boolean {
  return reference.root !== "parameters" || reference.name in file.parameters;
}

/** Validates a definition; a catalog never holds one that fails, and the reason names the field. */
export function defineWorkflow(input: WorkflowDefinitionInput): WorkflowDefinition {
  const result = parseWorkflow(input);
  if (!result.ok) {
    const id = (input as { id?: unknown } | null)?.id;
    throw new InvalidWorkflowError(typeof id === "string" ? id : "(no id)", result.problems);
  }
  return result.definition;
}
