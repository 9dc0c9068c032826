import { runDemo } from "@kubernaut/local";
import { describe, expect, inject, it } from "vitest";

describe("npm run demo", () => {
  it("plays the adoption path to the end: observe → approve → graduate → automate → back to approve", async () => {
    const lines: string[] = [];
    await runDemo({ log: (line) => lines.push(line), dynamoEndpoint: inject("dynamoEndpoint") });
    const text = lines.join("\n");
    expect(text).toContain("→ DryRun: would run crashloop-rollback-v1");
    expect(text).toMatch(
      /round 2: production needed approval \(production environment\); approved via the API → Remediated, effectiveness 1\.00, health and alert only: no metrics source configured/,
    );
    expect(text).toContain("crashloop-rollback-v1 in production: approve → graduate to automate");
    expect(text).toContain(
      "production crash loop → Verifying without approval: auto-approved: workflow graduated to automate",
    );
    expect(text).toContain(
      "production crash loop → AwaitingApproval: strict policy: every remediation requires approval",
    );
    expect(lines.at(-1)).toBe("Done: observe → approve → graduate → automate → back to approve.");
  });
});
