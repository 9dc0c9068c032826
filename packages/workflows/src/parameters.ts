import { findWorkflow } from "./catalog";
import type { ParameterSpec, WorkflowDefinition } from "./definition";
import { formatQuantity, parseQuantity, QuantityError } from "./quantity";

export type ParameterValue = string | number | boolean;

/** A bound as an operator reads it: "16Mi" for a quantity, the number otherwise. */
function bound(spec: ParameterSpec, value: number): string {
  return spec.type === "quantity" ? formatQuantity(value) : String(value);
}

/**
 * Checks parameters against a workflow's schema and returns them canonical: a quantity typed as
 * "600Mi" becomes its whole number of bytes, so what is stored, compared and executed is exact and a
 * retried execution cannot compound it. Each problem names its field, in the units the operator used
 * ("memoryLimit: must be ≥ 16Mi"). Used on the agent's choice, an LLM's proposal and an operator's
 * override alike.
 */
export function normalizeParameters(
  workflow: WorkflowDefinition,
  parameters: Readonly<Record<string, unknown>>,
): { parameters: Record<string, ParameterValue>; problems: string[] } {
  const problems: string[] = [];
  const normalized: Record<string, ParameterValue> = {};
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
      case "quantity": {
        if (typeof value !== "number" && typeof value !== "string") {
          problems.push(`${name}: must be a Kubernetes quantity (e.g. 600Mi) or a number of bytes`);
          break;
        }
        let bytes: number;
        try {
          bytes = parseQuantity(value);
        } catch (error) {
          problems.push(`${name}: ${error instanceof QuantityError ? error.message : String(error)}`);
          break;
        }
        normalized[name] = bytes;
        checkRange(name, spec, bytes, problems);
        break;
      }
      case "integer":
      case "number": {
        if (typeof value !== "number" || !Number.isFinite(value)) {
          problems.push(`${name}: must be a number`);
          break;
        }
        if (spec.type === "integer" && !Number.isInteger(value))
          problems.push(`${name}: must be a whole number`);
        normalized[name] = value;
        checkRange(name, spec, value, problems);
        break;
      }
      case "string":
        if (typeof value !== "string") problems.push(`${name}: must be a string`);
        else if (spec.enum && !spec.enum.includes(value))
          problems.push(`${name}: must be one of ${spec.enum.join(", ")}`);
        else normalized[name] = value;
        break;
      case "boolean":
        if (typeof value !== "boolean") problems.push(`${name}: must be true or false`);
        else normalized[name] = value;
        break;
    }
  }
  return { parameters: normalized, problems };
}

function checkRange(name: string, spec: ParameterSpec, value: number, problems: string[]): void {
  if (spec.minimum !== undefined && value < spec.minimum)
    problems.push(`${name}: must be ≥ ${bound(spec, spec.minimum)}`);
  if (spec.maximum !== undefined && value > spec.maximum)
    problems.push(`${name}: must be ≤ ${bound(spec, spec.maximum)}`);
}

/** The problems of `normalizeParameters` alone, for callers that only need to know whether it passes. */
export function validateParameters(
  workflow: WorkflowDefinition,
  parameters: Readonly<Record<string, unknown>>,
): string[] {
  return normalizeParameters(workflow, parameters).problems;
}

/** The schema's defaults, the starting point every selection fills in (quantities in bytes). */
export function defaultParameters(workflow: WorkflowDefinition): Record<string, ParameterValue> {
  const defaults: Record<string, ParameterValue> = {};
  for (const [name, spec] of Object.entries(workflow.parameters)) {
    if (spec.default === undefined) continue;
    defaults[name] =
      spec.type === "quantity" && typeof spec.default !== "boolean"
        ? parseQuantity(spec.default)
        : spec.default;
  }
  return defaults;
}

/** One value as a person reads it: quantities as "600Mi", strings bare, the rest as JSON. */
export function formatParameterValue(spec: ParameterSpec | undefined, value: unknown): string {
  if (spec?.type === "quantity" && typeof value === "number") return formatQuantity(value);
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Parameters as a person reads them, with quantities in their Kubernetes form. The workflow may be given
 * by id (the built-in catalog is searched); without its schema the values are shown as stored.
 *
 * @example displayParameters("increase-memory-limits-v1", { memoryLimit: 629145600 }) // { memoryLimit: "600Mi" }
 */
export function displayParameters(
  workflow: WorkflowDefinition | string | undefined,
  parameters: Readonly<Record<string, unknown>> | undefined,
): Record<string, string> {
  const definition = typeof workflow === "string" ? findWorkflow(workflow) : workflow;
  return Object.fromEntries(
    Object.entries(parameters ?? {}).map(([name, value]) => [
      name,
      formatParameterValue(definition?.parameters[name], value),
    ]),
  );
}

/** `container=app, memoryLimit=600Mi`, or "no parameters". */
export function parametersText(
  workflow: WorkflowDefinition | string | undefined,
  parameters: Readonly<Record<string, unknown>> | undefined,
): string {
  const entries = Object.entries(displayParameters(workflow, parameters));
  return entries.length === 0 ? "no parameters" : entries.map(([k, v]) => `${k}=${v}`).join(", ");
}
