import {
  formatParameterValue,
  formatQuantity,
  type ParameterSpec,
  type ParameterValue,
  parseQuantity,
  QuantityError,
  type WorkflowDefinition,
} from "@kubernaut/workflows";

export const MODAL_CALLBACK_ID = "approve_with_changes";
export const RATIONALE_BLOCK = "rationale";
const paramBlock = (name: string) => `param_${name}`;

type Json = Record<string, unknown>;

function input(name: string, spec: ParameterSpec, proposed: ParameterValue | undefined): Json {
  const initial = proposed ?? spec.default;
  const label = { type: "plain_text", text: name.slice(0, 2000) };
  const bound = (value: number) => (spec.type === "quantity" ? formatQuantity(value) : String(value));
  const hint = {
    type: "plain_text",
    text: [
      spec.description,
      spec.minimum !== undefined ? `≥ ${bound(spec.minimum)}` : "",
      spec.maximum !== undefined ? `≤ ${bound(spec.maximum)}` : "",
    ]
      .filter(Boolean)
      .join(" · ")
      .slice(0, 2000),
  };
  const option = (value: string) => ({ text: { type: "plain_text", text: value }, value });
  let element: Json;
  if (spec.type === "boolean") {
    element = { type: "static_select", action_id: "value", options: ["true", "false"].map(option) };
    if (initial !== undefined) element.initial_option = option(String(initial));
  } else if (spec.type === "string" && spec.enum) {
    element = { type: "static_select", action_id: "value", options: spec.enum.map(option) };
    if (initial !== undefined) element.initial_option = option(String(initial));
  } else if (spec.type === "string" || spec.type === "quantity") {
    // A quantity is typed as people write it ("768Mi"), which a number input would refuse.
    element = {
      type: "plain_text_input",
      action_id: "value",
      ...(initial !== undefined ? { initial_value: formatParameterValue(spec, initial) } : {}),
    };
  } else {
    element = {
      type: "number_input",
      action_id: "value",
      is_decimal_allowed: spec.type === "number",
      ...(initial !== undefined ? { initial_value: String(initial) } : {}),
      ...(spec.minimum !== undefined ? { min_value: String(spec.minimum) } : {}),
      ...(spec.maximum !== undefined ? { max_value: String(spec.maximum) } : {}),
    };
  }
  return { type: "input", block_id: paramBlock(name), label, hint, optional: !spec.required, element };
}

/**
 * The approve-with-changes modal, generated from the workflow's parameter schema: one input per
 * parameter (types, enums, ranges, the proposed values pre-filled) and a required rationale. The
 * request id rides in private_metadata; the task token never leaves the server.
 */
export function approveWithChangesModal(
  approvalId: string,
  workflow: WorkflowDefinition,
  proposed: Record<string, ParameterValue>,
  summary: string,
): Json {
  return {
    type: "modal",
    callback_id: MODAL_CALLBACK_ID,
    private_metadata: approvalId,
    title: { type: "plain_text", text: "Approve with changes" },
    submit: { type: "plain_text", text: "Approve" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: `*${workflow.id}* (${workflow.actionType})\n${summary}`.slice(0, 3000),
        },
      },
      ...Object.entries(workflow.parameters).map(([name, spec]) => input(name, spec, proposed[name])),
      {
        type: "input",
        block_id: RATIONALE_BLOCK,
        label: { type: "plain_text", text: "Why these changes" },
        element: { type: "plain_text_input", action_id: "value", multiline: true },
      },
    ],
  };
}

type StateValues = Record<
  string,
  Record<string, { value?: string | null; selected_option?: { value: string } | null }>
>;

/**
 * Reads a submitted modal back into typed parameters. Type errors are reported per block, in the shape
 * Slack shows under each field (`response_action: errors`); range and enum checks are left to the same
 * schema validation the API applies.
 */
export function readModalSubmission(
  workflow: WorkflowDefinition,
  values: StateValues,
): { parameters: Record<string, ParameterValue>; rationale: string; errors: Record<string, string> } {
  const parameters: Record<string, ParameterValue> = {};
  const errors: Record<string, string> = {};
  for (const [name, spec] of Object.entries(workflow.parameters)) {
    const field = values[paramBlock(name)]?.value;
    const raw = field?.selected_option?.value ?? field?.value ?? undefined;
    if (raw === undefined || raw === null || raw === "") continue;
    if (spec.type === "boolean") parameters[name] = raw === "true";
    else if (spec.type === "string") parameters[name] = raw;
    else if (spec.type === "quantity") {
      try {
        parameters[name] = parseQuantity(raw);
      } catch (error) {
        errors[paramBlock(name)] = error instanceof QuantityError ? error.message : String(error);
      }
    } else {
      const number = Number(raw);
      if (!Number.isFinite(number)) errors[paramBlock(name)] = "must be a number";
      else parameters[name] = number;
    }
  }
  const rationale = values[RATIONALE_BLOCK]?.value?.value?.trim() ?? "";
  if (!rationale) errors[RATIONALE_BLOCK] = "say why the parameters change";
  return { parameters, rationale, errors };
}

/** Maps "memoryLimit: must be ≥ …" problems from schema validation onto the modal's blocks. */
export function problemsToBlockErrors(problems: string[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const problem of problems) {
    const match = /^(?:workflowOverride\.parameters\.)?([A-Za-z0-9_]+): (.*)$/.exec(problem);
    if (match?.[1] && match[2]) errors[paramBlock(match[1])] = match[2];
    else errors[RATIONALE_BLOCK] = problem;
  }
  return errors;
}
