import { type WorkflowDefinition, withRegistered } from "@kubernaut/workflows";
import type { PipelineDeps } from "./deps";

/** The catalog a remediation selects from and executes: built-in and registered workflows. */
export async function catalogOf(deps: PipelineDeps): Promise<readonly WorkflowDefinition[]> {
  return withRegistered(deps.catalog, await deps.trust.registered());
}
