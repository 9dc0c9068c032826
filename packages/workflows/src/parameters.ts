import type { WorkflowDefinition } from "./definition";

export type ParameterValue = string | number | boolean;

/**
 * Checks parameters against a workflow's schema and names each offending field. Used by the alignment
 * gate on the agent's choice and, with the same rules, on an operator's override.
 */
export function validateParameters(
  workflow: WorkflowDefinition,
  parameters: Record<string, ParameterValue>,
): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(parameters)) {
    if (!(name in workflow.parameters)) problems.push(`${name}: not a parameter of ${workflow.id}`);
  }
  for (const [name, spec] of Object.entries(workflow.parameters)) {
    const value = parameters[name];
    if (value === undefined) {
      if (spec.required) problems.push(`${name}: required`);
      continue;
    }
    switch (spec.type) {
      case "integer":
      case "number":
      case "quantity": {
        if (typeof value !== "number" || !Number.isFinite(value)) {
          problems.push(`${name}: must be a number`);
          break;
        }
        if (spec.type !== "number" && !Number.isInteger(value))
          problems.push(`${name}: must be a whole number`);
        if (spec.minimum !== undefined && value < spec.minimum)
          problems.push(`${name}: must be ≥ ${spec.minimum}`);
        if (spec.maximum !== undefined && value > spec.maximum)
          problems.push(`${name}: must be ≤ ${spec.maximum}`);
        break;
      }
      case "string":
        if (typeof value !== "string") problems.push(`${name}: must be a string`);
        else if (spec.enum && !spec.enum.includes(value))
          problems.push(`${name}: must be one of ${spec.enum.join(", ")}`);
        break;
      case "boolean":
        if (typeof value !== "boolean") problems.push(`${name}: must be true or false`);
        break;
    }
  }
  return problems;
}

/** The schema's defaults, the starting point every selection fills in. */
export function defaultParameters(workflow: WorkflowDefinition): Record<string, ParameterValue> {
  return Object.fromEntries(
    Object.entries(workflow.parameters)
      .filter(([, spec]) => spec.default !== undefined)
      .map(([name, spec]) => [name, spec.default as ParameterValue]),
  );
}
