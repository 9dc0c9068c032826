import { NO_POLICY_REASON } from "@kubernaut/policy";
import type { ApprovalRequest } from "@kubernaut/store";
import { findWorkflow } from "@kubernaut/workflows";
import { describe, expect, it } from "vitest";
import { remediation } from "../testing/fixtures";
import { requestFacts } from "./page";

const approval = (overrides: Partial<ApprovalRequest>): ApprovalRequest => ({
  id: "rar-0000000000-test",
  remediationId: "rr-0000000000-test",
  fingerprint: "f".repeat(64),
  taskToken: "secret",
  createdAt: "2026-11-26T02:23:41.895Z",
  requiredBy: "2026-11-26T02:38:41.895Z",
  reason: "production environment",
  degraded: false,
  confidence: 0.9,
  environment: "Production",
  ...overrides,
});

const reasonOf = (a: ApprovalRequest) => {
  const text = requestFacts(
    { approval: a, remediation: remediation(), workflow: findWorkflow("crashloop-rollback-v1") },
    new Date("2026-11-26T02:24:00Z"),
    "t",
  ).value;
  return /data-testid="policy-reason">(.*?)<\/dd>/s.exec(text)?.[1] ?? "";
};

describe("why a request waits, in the queue", () => {
  it.each([
    [
      "no policy configured: the documented default, not a degraded policy",
      { reason: NO_POLICY_REASON, degraded: true },
      "No approval policy is configured (<code>aianalysis.rego.policy</code>), so every remediation asks for approval.",
    ],
    [
      "an unusable policy: degraded, said so",
      { reason: "policy /x/mine.rego is unusable: the file does not exist", degraded: true },
      'policy /x/mine.rego is unusable: the file does not exist <strong class="warn">(policy degraded: approval required by default)</strong>',
    ],
    [
      "the policy's own reason, with its hash",
      { reason: "production environment", policyHash: "a".repeat(64) },
      `production environment <span class="muted" title="${"a".repeat(64)}">policy ${"a".repeat(12)}</span>`,
    ],
  ])("%s", (_case, overrides, html) => {
    expect(reasonOf(approval(overrides))).toBe(html);
  });
});
