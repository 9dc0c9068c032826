import {
  formatParameterValue,
  type ParameterSpec,
  type ParameterValue,
  parseQuantity,
  QuantityError,
  validateParameters,
  type WorkflowDefinition,
} from "@kubernaut/workflows";

export const paramField = (name: string) => `param_${name}`;
export const RATIONALE_FIELD = "rationale";

export type FormValues = Record<string, string>;
export type FieldErrors = Record<string, string>;

function readValue(spec: ParameterSpec, raw: string): { value?: ParameterValue; error?: string } {
  switch (spec.type) {
    case "boolean":
      if (raw === "true" || raw === "false") return { value: raw === "true" };
      return { error: "must be true or false" };
    case "string":
      return { value: raw };
    case "quantity": {
      // "768Mi" as typed; the workflow still receives an absolute number of bytes, so a retried
      // execution cannot compound it.
      try {
        return { value: parseQuantity(raw) };
      } catch (error) {
        return { error: error instanceof QuantityError ? error.message : String(error) };
      }
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
    if (value !== undefined) values[paramField(name)] = formatParameterValue(spec, value);
  }
  return values;
}
