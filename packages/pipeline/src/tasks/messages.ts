import type { RemediationRequest } from "@kubernaut/core";
import { parametersText as workflowParametersText } from "@kubernaut/workflows";

/** `Deployment/checkout in staging` */
export function targetText(rr: RemediationRequest): string {
  const t = rr.targetResource;
  return `${t.kind}/${t.name}${t.namespace ? ` in ${t.namespace}` : ""}${t.cluster ? ` (${t.cluster})` : ""}`;
}

/** The selection's parameters as people read them (quantities as 600Mi). */
function parametersText(rr: RemediationRequest): string {
  return workflowParametersText(rr.analysis?.workflowId, rr.analysis?.parameters);
}

/** Subjects and bodies of the notifications the pipeline sends, in one place so they read alike. */
export const messages = {
  approval: (rr: RemediationRequest, reason: string) => ({
    subject: `Approve ${rr.analysis?.workflowId ?? "remediation"} on ${targetText(rr)}?`,
    body:
      `${rr.signal.alertName} (${rr.enrichment?.environment ?? "Unknown"}): ${rr.analysis?.rootCause ?? "no root cause"}. ` +
      `Proposed ${rr.analysis?.workflowId} with ${parametersText(rr)}, confidence ${rr.analysis?.confidence.toFixed(2)}. ` +
      `Approval required: ${reason}.`,
  }),
  dryRun: (rr: RemediationRequest) => ({
    subject: `Dry run: would run ${rr.analysis?.workflowId} on ${targetText(rr)}`,
    body:
      `Level 1 (observe): ${rr.signal.alertName} would have been remediated with ${rr.analysis?.workflowId} ` +
      `(${parametersText(rr)}, confidence ${rr.analysis?.confidence.toFixed(2)}). Nothing was changed. ` +
      "Review the analysis; when it is consistently right, climb the trust ladder.",
  }),
  manualReview: (rr: RemediationRequest, reason: string) => ({
    subject: `Manual review needed: ${targetText(rr)}`,
    body: `${rr.signal.alertName}: ${reason}. The fingerprint is held until an operator releases it or the hold lapses.`,
  }),
  statusUpdate: (rr: RemediationRequest, phase: string, reason: string) => ({
    subject: `${targetText(rr)}: ${phase}`,
    body: `${rr.signal.alertName}: the remediation ended ${phase} (${reason}).`,
  }),
  verifying: (rr: RemediationRequest) => ({
    subject: `Remediated ${targetText(rr)} with ${rr.analysis?.workflowId}; verifying`,
    body: `${rr.analysis?.workflowId} ran (${parametersText(rr)}). The effectiveness monitor will score it after the stabilization window.`,
  }),
  oscillation: (rr: RemediationRequest, count: number, window: string) => ({
    subject: `Oscillation: ${targetText(rr)} remediated ${count} times in ${window}`,
    body:
      `${targetText(rr)} keeps needing remediation (${count} executions within ${window}, latest for ${rr.signal.alertName}). ` +
      "Something undoes each fix; automation is making noise, not progress. Look at it by hand.",
  }),
};
