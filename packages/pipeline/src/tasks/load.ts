import type { RemediationRequest } from "@kubernaut/core";
import type { PipelineDeps } from "./deps";

export class RemediationNotFoundError extends Error {
  constructor(id: string) {
    super(`remediation ${id} does not exist`);
    this.name = "RemediationNotFound";
  }
}

export async function loadRemediation(deps: PipelineDeps, id: string): Promise<RemediationRequest> {
  const rr = await deps.store.get(id);
  if (!rr) throw new RemediationNotFoundError(id);
  return rr;
}
