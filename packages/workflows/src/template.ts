import type { ParameterSpec } from "./definition";
import { formatQuantity } from "./quantity";

/**
 * Templates in a workflow's steps: `{{ parameters.<name> }}`, `{{ target.kind|name|namespace|cluster }}`
 * and `{{ remediation.id }}`. Deliberately no expressions, filters or loops: a step's change must be
 * exactly predictable from the workflow and its (absolute) parameters, so a dry run shows what will run.
 *
 * A string that is one whole template keeps the value's type (`"{{ parameters.replicas }}"` → 3, a
 * quantity → its bytes); a template inside a longer string is text (`"--max={{ parameters.replicas }}"`,
 * a quantity as "768Mi"). An optional parameter without a value removes the key it is the whole value
 * of, so the action's own default applies.
 */
export const TEMPLATE = /\{\{(.*?)\}\}/g;
const WHOLE = /^\{\{(.*?)\}\}$/;
const REFERENCE = /^\s*(parameters|target|remediation)\.([A-Za-z_][A-Za-z0-9_]*)\s*$/;
const TARGET_FIELDS = new Set(["kind", "name", "namespace", "cluster"]);
const REMEDIATION_FIELDS = new Set(["id"]);

export type TemplateReference =
  | { root: "parameters"; name: string }
  | { root: "target"; name: "kind" | "name" | "namespace" | "cluster" }
  | { root: "remediation"; name: "id" };

/** A template that cannot render, with the path inside the step where it sits. */
export class TemplateError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = "TemplateError";
  }
}

export interface TemplateContext {
  parameters: Readonly<Record<string, string | number | boolean>>;
  /** The schema, so a quantity reads as "768Mi" inside text. */
  specs: Readonly<Record<string, ParameterSpec>>;
  target: { kind: string; name: string; namespace?: string; cluster?: string };
  remediation: { id: string };
}

/** What one `{{ … }}` refers to, or the reason it is not a reference this format knows. */
export function parseReference(expression: string): TemplateReference | string {
  const match = REFERENCE.exec(expression);
  if (!match)
    return `{{${expression}}} is not a reference (use {{ parameters.NAME }}, {{ target.kind|name|namespace|cluster }} or {{ remediation.id }})`;
  const [, root, name] = match as unknown as [string, TemplateReference["root"], string];
  if (root === "target" && !TARGET_FIELDS.has(name))
    return `{{${expression}}}: a target has kind, name, namespace and cluster, not ${name}`;
  if (root === "remediation" && !REMEDIATION_FIELDS.has(name))
    return `{{${expression}}}: a remediation offers only id, not ${name}`;
  return { root, name } as TemplateReference;
}

/** Every template in a value (any depth), with its path (`args.1`, `env.CACHE`), parsed or refused. */
export function templatesIn(
  value: unknown,
  path = "",
): Array<{ path: string; reference: TemplateReference | string }> {
  if (typeof value === "string") {
    const unclosed = value.replace(TEMPLATE, "").includes("{{");
    return [
      ...[...value.matchAll(TEMPLATE)].map((m) => ({ path, reference: parseReference(m[1] ?? "") })),
      ...(unclosed ? [{ path, reference: `"${value}" has a {{ without its }}` }] : []),
    ];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => templatesIn(item, join(path, String(i))));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([key, item]) => templatesIn(item, join(path, key)));
  return [];
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

function resolve(reference: TemplateReference, context: TemplateContext): unknown {
  switch (reference.root) {
    case "parameters":
      return context.parameters[reference.name];
    case "target":
      return context.target[reference.name];
    case "remediation":
      return context.remediation.id;
  }
}

/** A value as text inside a longer string: a quantity in its Kubernetes form, the rest as written. */
function asText(reference: TemplateReference, value: unknown, context: TemplateContext): string {
  if (reference.root === "parameters" && context.specs[reference.name]?.type === "quantity")
    return formatQuantity(Number(value));
  return String(value);
}

const OMIT = Symbol("omit");

/**
 * Renders every template in `value` (objects and arrays at any depth). Throws a TemplateError naming
 * the path when a reference is unknown or a value is missing where text needs it.
 */
export function render(value: unknown, context: TemplateContext, path = ""): unknown {
  const rendered = renderAt(value, context, path);
  return rendered === OMIT ? undefined : rendered;
}

function renderAt(value: unknown, context: TemplateContext, path: string): unknown {
  if (typeof value === "string") {
    const whole = WHOLE.exec(value);
    if (whole && !(whole[1] ?? "").includes("{{")) {
      const reference = parseReference(whole[1] ?? "");
      if (typeof reference === "string") throw new TemplateError(path, reference);
      const resolved = resolve(reference, context);
      return resolved === undefined ? OMIT : resolved;
    }
    const text = value.replace(TEMPLATE, (_, expression: string) => {
      const reference = parseReference(expression);
      if (typeof reference === "string") throw new TemplateError(path, reference);
      const resolved = resolve(reference, context);
      if (resolved === undefined)
        throw new TemplateError(
          path,
          `{{${expression}}} has no value here (an optional parameter without a default cannot be part of a text)`,
        );
      return asText(reference, resolved, context);
    });
    if (text.includes("{{")) throw new TemplateError(path, `"${value}" has a {{ without its }}`);
    return text;
  }
  if (Array.isArray(value)) {
    return value.map((item, i) => {
      const rendered = renderAt(item, context, join(path, String(i)));
      if (rendered === OMIT)
        throw new TemplateError(join(path, String(i)), "a list item refers to a parameter without a value");
      return rendered;
    });
  }
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const rendered = renderAt(item, context, join(path, key));
      if (rendered !== OMIT) out[key] = rendered;
    }
    return out;
  }
  return value;
}
