import type { TrustStore } from "@kubernaut/store";
import { type WorkflowDefinition, withRegistered } from "@kubernaut/workflows";

/** The built-in catalog plus the workflows registered from suggestions. */
export async function catalogWithRegistered(deps: {
  catalog: readonly WorkflowDefinition[];
  trust: TrustStore;
}): Promise<readonly WorkflowDefinition[]> {
  return withRegistered(deps.catalog, await deps.trust.registered());
}
