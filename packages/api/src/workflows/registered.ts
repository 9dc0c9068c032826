import { type WorkflowDefinition, withRegistered } from "@kubernaut/workflows";
import type { TrustDeps } from "./routes";

/** The built-in catalog plus the workflows registered from suggestions. */
export async function catalogWithRegistered(
  deps: Pick<TrustDeps, "catalog" | "trust">,
): Promise<readonly WorkflowDefinition[]> {
  return withRegistered(deps.catalog, await deps.trust.registered());
}
