import { findWorkflow, type WorkflowDefinition, withRegistered } from "@kubernaut/workflows";
import type { PipelineDeps } from "./deps";

/** The catalog a remediation selects from and executes: built-in and registered workflows. */
export async function catalogOf(deps: PipelineDeps): Promise<readonly WorkflowDefinition[]> {
  return withRegistered(deps.catalog, await deps.trust.registered());
}

/**
 * One workflow by id: the catalog's (built-in or the operator's directory), else the registered one,
 * read by key — a task that runs one known workflow never scans the table for every registration.
 */
export async function workflowById(
  deps: PipelineDeps,
  id: string | undefined,
): Promise<WorkflowDefinition | undefined> {
  if (!id) return undefined;
  const known = findWorkflow(id, deps.catalog);
  if (known) return known;
  const stored = await deps.trust.definitionOf(id);
  return stored ? findWorkflow(id, withRegistered(deps.catalog, [stored])) : undefined;
}
