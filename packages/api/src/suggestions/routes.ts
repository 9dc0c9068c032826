import type { ApiTokenConfig } from "@kubernaut/config";
import type { Suggestion } from "@kubernaut/core";
import { ApiError, type AuthEnv, apiAuth, parseBody, readJsonBody } from "@kubernaut/http";
import { SuggestionConflictError, type SuggestionStore } from "@kubernaut/store";
import { catalogWithRegistered } from "@kubernaut/trust";
import {
  defineWorkflow,
  InvalidWorkflowError,
  validateParameters,
  type WorkflowDefinition,
} from "@kubernaut/workflows";
import { Hono } from "hono";
import { z } from "zod";
import type { TrustDeps } from "../workflows/routes";

const Conversion = z
  .object({
    workflowId: z.string().regex(/^[a-z0-9-]+-v\d+$/, "must look like name-vN"),
    /** Defaults to the suggestion's proposed action type. */
    actionType: z.string().min(1).optional(),
    /** Defaults for the action type's parameters (absolute values, checked against its schema). */
    parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    whenToUse: z.string().min(1).max(2000).optional(),
    reason: z.string().min(1, "say why this becomes a workflow").max(2000),
  })
  .strict();

/**
 * Suggestions (DESIGN §3.3): reading them, and turning a reviewed one into a registered workflow. The
 * new workflow is one declarative step — a catalog action type, with its executor, parameter schema and
 * blast radius — answering this suggestion's alert on this kind of target, and it starts at `observe`
 * (Level 2): it runs dry until someone graduates it.
 */
export function suggestionRoutes(
  deps: TrustDeps & { suggestions: SuggestionStore },
  tokens: readonly ApiTokenConfig[],
) {
  const now = () => deps.now?.() ?? new Date();
  return new Hono<AuthEnv>()
    .get("/api/v1/suggestions", apiAuth(tokens, "viewer"), async (c) =>
      c.json({ items: await deps.suggestions.list() }),
    )
    .get("/api/v1/suggestions/:id", apiAuth(tokens, "viewer"), async (c) =>
      c.json(await load(deps, c.req.param("id"))),
    )
    .post("/api/v1/suggestions/:id/workflow", apiAuth(tokens, "admin"), async (c) => {
      const suggestion = await load(deps, c.req.param("id"));
      const body = parseBody(Conversion, await readJsonBody(c), "conversion", {
        workflowId: "queue-backlog-restart-v1",
        parameters: { mode: "rolloutRestart" },
        reason: "drains stuck consumers",
      });
      if (suggestion.status === "Converted")
        throw new ApiError(
          409,
          "conflict",
          `suggestion ${suggestion.id} was already converted to ${suggestion.convertedTo?.workflowId}`,
        );
      const catalog = await catalogWithRegistered(deps);
      if (catalog.some((w) => w.id === body.workflowId))
        throw new ApiError(409, "conflict", `workflow ${body.workflowId} already exists`);
      const definition = definitionFrom(suggestion, body, catalog);
      const caller = c.get("caller").name;
      try {
        await deps.suggestions.convert(suggestion.id, definition, caller, now());
      } catch (error) {
        if (error instanceof SuggestionConflictError) throw new ApiError(409, "conflict", error.message);
        throw error;
      }
      await deps.systemAudit.append({
        type: "WorkflowRegistered",
        at: now().toISOString(),
        actor: { type: "user", id: caller, channel: "api" },
        details: {
          workflowId: definition.id,
          suggestionId: suggestion.id,
          actionType: definition.actionType,
          reason: body.reason,
        },
      });
      return c.json({ workflow: definition, trust: { level: "observe" }, suggestionId: suggestion.id }, 201);
    });
}

async function load(deps: { suggestions: SuggestionStore }, id: string): Promise<Suggestion> {
  const suggestion = await deps.suggestions.get(id);
  if (!suggestion) throw new ApiError(404, "not_found", `suggestion ${id} does not exist`);
  return suggestion;
}

/** The new definition: the template's executor-facing facts, this suggestion's alert and target kind. */
function definitionFrom(
  suggestion: Suggestion,
  body: z.output<typeof Conversion>,
  catalog: readonly WorkflowDefinition[],
): WorkflowDefinition {
  const actionType = body.actionType ?? suggestion.proposedActionType;
  if (!actionType)
    throw new ApiError(
      400,
      "invalid_request",
      `suggestion ${suggestion.id} proposes no action: name an actionType`,
    );
  const template = catalog.find((w) => w.actionType === actionType);
  if (!template) {
    const known = [...new Set(catalog.map((w) => w.actionType))].sort().join(", ");
    throw new ApiError(
      400,
      "invalid_request",
      `actionType ${actionType} is not in the catalog (known: ${known})`,
    );
  }
  if (!template.targetKinds.includes(suggestion.target.kind))
    throw new ApiError(
      400,
      "invalid_request",
      `actionType ${actionType} cannot act on a ${suggestion.target.kind} (it acts on ${template.targetKinds.join(", ")})`,
    );
  // The given values are checked against the action's own schema first: rendering the steps with an
  // invalid default would otherwise report it by step path instead of by the parameter the caller sent.
  const invalid = validateParameters(template, body.parameters ?? {});
  if (invalid.length) throw new ApiError(400, "invalid_request", `parameters: ${invalid.join("; ")}`);
  const parameters = Object.fromEntries(
    Object.entries(template.parameters).map(([name, spec]) => {
      const value = body.parameters?.[name];
      return [name, value === undefined ? spec : { ...spec, default: value }];
    }),
  );
  try {
    const definition = defineWorkflow({
      id: body.workflowId,
      version: "1.0.0",
      actionType,
      description: {
        what: `${template.description.what} (registered from suggestion ${suggestion.id}: ${suggestion.summary})`,
        whenToUse: body.whenToUse ?? `${suggestion.alertName} on a ${suggestion.target.kind}`,
        whenNotToUse: template.description.whenNotToUse,
        preconditions: template.description.preconditions,
      },
      signals: [suggestion.alertName],
      targetKinds: [suggestion.target.kind],
      parameters,
      changesSpec: template.changesSpec,
      reversible: template.reversible,
      blastRadius: template.blastRadius,
    });
    return definition;
  } catch (error) {
    if (error instanceof InvalidWorkflowError) throw new ApiError(400, "invalid_request", error.message);
    throw error;
  }
}
