import {
  type ParameterSpec,
  type ParameterValue,
  validateParameters,
  type WorkflowDefinition,
} from "@kubernaut/workflows";

export const paramField = (name: string) => `param_${name}`;
export const RATIONALE_FIELD = "rationale";

export type FormValues = Record<string, string>;
export type FieldErrors = Record<string, string>;

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/**
 * Reads a Kubernetes quantity the way operators write memory limits ("768Mi", "1Gi", "805306368"). The
 * workflow still receives an absolute number of bytes, so a retried execution cannot compound it.
 */
export function parseQuantity(raw: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|K|M|G|T)?$/.exec(raw);
  if (!match?.[1]) return undefined;
  const unit = match[2];
  const factor = unit ? (BINARY[unit] ?? DECIMAL[unit] ?? 1) : 1;
  return Math.round(Number(match[1]) * factor);
}

function readValue(spec: ParameterSpec, raw: string): { value?: ParameterValue; error?: string } {
  switch (spec.type) {
    case "boolean":
      if (raw === "true" || raw === "false") return { value: raw === "true" };
      return { error: "must be true or false" };
    case "string":
      return { value: raw };
    case "quantity": {
      const value = parseQuantity(raw);
      return value === undefined
        ? { error: "must be a number of bytes (e.g. 805306368 or 768Mi)" }
        : { value };
    }
    default: {
      const value = Number(raw);
      return raw === "" || !Number.isFinite(value) ? { error: "must be a number" } : { value };
    }
  }
}

/**
 * Turns a submitted approve-with-changes form into typed parameters. Only what a form cannot express
 * (a number that is not a number) is checked here; ranges, enums and required fields are checked by
 * `validateParameters`, the very function the API applies to an override, so the console accepts
 * exactly what the API accepts. An empty optional field means "leave it to the workflow's default".
 */
export function readParameterForm(
  workflow: WorkflowDefinition,
  form: FormValues,
): { parameters: Record<string, ParameterValue>; errors: FieldErrors } {
  const parameters: Record<string, ParameterValue> = {};
  const errors: FieldErrors = {};
  for (const [name, spec] of Object.entries(workflow.parameters)) {
    const raw = (form[paramField(name)] ?? "").trim();
    if (raw === "") continue;
    const read = readValue(spec, raw);
    if (read.error) errors[name] = read.error;
    else if (read.value !== undefined) parameters[name] = read.value;
  }
  for (const problem of validateParameters(workflow, parameters)) {
    const [name, ...rest] = problem.split(": ");
    if (name && !errors[name]) errors[name] = rest.join(": ") || problem;
  }
  return { parameters, errors };
}

/**
 * Maps the API's 400 message ("invalid decision: workflowOverride.parameters.replicas: must be ≤ 100;
 * …") back onto fields, for whatever `decideApproval` still refuses after the form's own checks.
 */
export function problemsToFieldErrors(message: string, workflow: WorkflowDefinition): FieldErrors {
  const errors: FieldErrors = {};
  const problems = message.replace(/^invalid decision: /, "").split("; ");
  for (const problem of problems) {
    const match = /^workflowOverride\.(?:parameters\.([A-Za-z0-9_]+)|(rationale)): (.*)$/.exec(problem);
    const field = match?.[1] ?? match?.[2];
    if (match && field && (field === RATIONALE_FIELD || field in workflow.parameters)) {
      errors[field] = match[3] ?? problem;
    } else {
      errors[""] = errors[""] ? `${errors[""]}; ${problem}` : problem;
    }
  }
  return errors;
}

/** The values a form starts from: the proposed parameters for the proposed workflow, else the defaults. */
export function initialValues(
  workflow: WorkflowDefinition,
  proposed: Record<string, unknown> | undefined,
): FormValues {
  const values: FormValues = {};
  for (const [name, spec] of Object.entries(workflow.parameters)) {
    const value = proposed?.[name] ?? spec.default;
    if (value !== undefined) values[paramField(name)] = String(value);
  }
  return values;
}
