import { verifyAuditChain } from "@kubernaut/core";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, newSession, screenshot, signIn } from "./support/browser";
import { type ConsoleServer, PEOPLE, startConsoleServer } from "./support/server";
import { focused, waitForText } from "./support/wait";

let server: ConsoleServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startConsoleServer(), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const today = () => new Date().toISOString().slice(0, 10);

/** Finishes a remediation the way the world would: the alert resolves, the monitor scores it. */
async function finish(id: string) {
  await server.h.waitFor(id, (rr) => rr.phase === "Verifying", 20_000);
  await server.alert("production", "resolved");
  return server.h.waitFor(id, (rr) => rr.phase === "Completed", 20_000);
}

describe("the console", () => {
  it("lets in only approvers and admins, with a session cookie scripts cannot read, and refuses forged forms", async () => {
    const { context, page } = await newSession(browser, server.url);
    await page.goto("/console/remediations");
    expect(new URL(page.url()).pathname).toBe("/console/sign-in");
    await screenshot(page, "01-sign-in");

    await page.getByLabel("API token").fill(PEOPLE.viewer.token);
    await page.getByRole("button", { name: "Sign in" }).click();
    expect(await page.getByTestId("sign-in-error").textContent()).toContain(
      'Token "vera" has role viewer; the console needs an approver or admin token.',
    );
    await page.getByLabel("API token").fill("not-a-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    expect(await page.getByTestId("sign-in-error").textContent()).toContain("not valid");
    expect((await context.cookies()).some((c) => c.name === "kubernaut_console")).toBe(false);

    await page.getByLabel("API token").fill(PEOPLE.bob.token);
    await page.getByRole("button", { name: "Sign in" }).click();
    // Back where the person was going.
    await page.waitForURL(/\/console\/remediations$/);
    expect(await page.getByTestId("signed-in-as").textContent()).toBe("bob");
    const cookie = (await context.cookies()).find((c) => c.name === "kubernaut_console");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/console" });
    expect(cookie?.value).not.toContain(PEOPLE.bob.token);

    // A form post without the session's CSRF token changes nothing, even from the same origin.
    const forged = await page.request.post("/console/approvals/rar-0000000000-forged/decision", {
      form: { decision: "Approved" },
      headers: { origin: server.url },
    });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain("did not come from this console");
    // … and one from another origin is refused before its body is read.
    const crossSite = await page.request.post("/console/pause", {
      form: { reason: "x" },
      headers: { origin: "https://evil.example" },
    });
    expect(crossSite.status()).toBe(403);
    expect((await server.h.deps.trust.paused()).paused).toBe(false);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/console\/sign-in$/);
    await page.goto("/console/approvals");
    expect(new URL(page.url()).pathname).toBe("/console/sign-in");
    await context.close();
  });

  it("works with the keyboard alone: skip link, a logical focus order through a request, and deciding it", async () => {
    const rr = await server.crashLoop("production");
    expect(rr.phase).toBe("AwaitingApproval");
    const { context, page } = await newSession(browser, server.url);
    await page.goto("/console/approvals");
    await page.keyboard.press("Tab"); // the skip link (on the sign-in page there is no navigation yet)
    expect(await focused(page)).toEqual({ tag: "a", name: "Skip to main content" });
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect(await focused(page)).toMatchObject({ tag: "input", name: "API token" });
    await page.keyboard.type(PEOPLE.bob.token);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/console\/approvals$/);

    await page.keyboard.press("Tab");
    expect(await focused(page)).toEqual({ tag: "a", name: "Skip to main content" });
    await page.keyboard.press("Enter");
    expect(await focused(page)).toMatchObject({ tag: "main" });
    // From the content on, one request's controls in reading order.
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press("Tab");
      const { tag, name } = await focused(page);
      order.push(`${tag}:${name}`);
      if (name.startsWith("Message")) {
        // Enter in the message starts a new line; it never submits the form's first button (Approve).
        await page.keyboard.type("rollback looks right");
        await page.keyboard.press("Enter");
      }
    }
    expect(new URL(page.url()).pathname).toBe("/console/approvals");
    expect((await server.h.approvals.get(rr.approvalRequestId as string))?.decision).toBeUndefined();
    expect(order).toEqual([
      "a:Deployment production/checkout",
      "textarea:Message (optional)",
      "button:Approve",
      "button:Reject",
      "a:Approve with changes",
    ]);
    await screenshot(page, "02-queue-keyboard-focus");
    // Back to Approve and press it.
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Shift+Tab");
    expect(await focused(page)).toEqual({ tag: "button", name: "Approve" });
    await page.keyboard.press("Enter");
    await page.waitForURL(new RegExp(`/console/remediations/${rr.id}\\?notice=approved$`));

    const done = await finish(rr.id);
    expect(done.approvalDecision).toMatchObject({
      decision: "Approved",
      decidedBy: "bob",
      decidedVia: "console",
      message: "rollback looks right",
    });
    await context.close();
  });

  it("an approval with a changed parameter resumes the state machine, the timeline follows it to the end, and the workflow graduates", async () => {
    const rr = await server.crashLoop("production");
    expect(rr.phase).toBe("AwaitingApproval");
    const proposed = rr.analysis?.parameters.toRevision;
    expect(typeof proposed).toBe("number");
    const approvalId = rr.approvalRequestId as string;

    // Alice approves for production only; she signs in and opens the queue.
    const alice = await newSession(browser, server.url);
    const page = alice.page;
    await signIn(page, PEOPLE.alice.token);
    const card = page.locator(`[data-approval="${approvalId}"]`);
    expect(await card.getByRole("heading", { level: 2 }).textContent()).toBe(
      "Deployment production/checkout",
    );
    expect(await card.locator(".badge").first().textContent()).toBe("Production");
    expect(await card.getByTestId("root-cause").textContent()).toMatch(/crash-loops since revision/);
    expect(await card.getByTestId("workflow").textContent()).toContain("crashloop-rollback-v1");
    expect(await card.getByTestId("parameters").textContent()).toContain(`toRevision = ${proposed}`);
    expect(await card.getByTestId("policy-reason").textContent()).toContain("production environment");
    expect(await card.locator("time[data-deadline]").textContent()).toMatch(/^\d+ min( \d+ s)? left$/);
    await screenshot(page, "03-approval-queue");

    // Approve with changes: first an out-of-range revision, which the server refuses by field …
    await card.getByRole("link", { name: "Approve with changes" }).click();
    await page.waitForURL(new RegExp(`/console/approvals/${approvalId}$`));
    const revision = page.getByLabel("toRevision");
    expect(await revision.inputValue()).toBe(String(proposed));
    const auditBefore = (await server.h.store.timeline(rr.id))?.audit.length;
    await revision.fill("-1");
    await page.getByLabel("Why these changes").fill("roll back to whatever preceded the bad deploy");
    const refused = page.waitForResponse((r) => r.url().endsWith(`/changes`));
    await page.getByRole("button", { name: "Approve with these parameters" }).click();
    expect((await refused).status()).toBe(400);
    expect(await page.getByTestId("error-toRevision").textContent()).toBe("toRevision: must be ≥ 0");
    expect(await revision.getAttribute("aria-invalid")).toBe("true");
    expect(await revision.getAttribute("aria-describedby")).toContain("param-toRevision-error");
    expect(await page.getByTestId("error-summary").textContent()).toContain("Nothing was changed");
    // The rationale the person typed is still there.
    expect(await page.getByLabel("Why these changes").inputValue()).toBe(
      "roll back to whatever preceded the bad deploy",
    );
    await screenshot(page, "04-approve-with-changes-refused");
    // … and changes nothing: the request is pending, the remediation waits, its audit chain is as it was.
    expect((await server.h.approvals.get(approvalId))?.decision).toBeUndefined();
    expect((await server.h.store.get(rr.id))?.phase).toBe("AwaitingApproval");
    expect((await server.h.store.timeline(rr.id))?.audit.length).toBe(auditBefore);

    // Then a valid change: revision 0 ("the previous one") instead of the explicit revision proposed.
    await revision.fill("0");
    await page.getByRole("button", { name: "Approve with these parameters" }).click();
    await page.waitForURL(new RegExp(`/console/remediations/${rr.id}\\?notice=approved-with-changes$`));
    // The page follows the remediation without reloading: a marker set now survives to the end.
    await page.evaluate("window.__sameDocument = true");
    const status = page.getByTestId("status");
    await waitForText(status, /Verifying/);
    await server.alert("production", "resolved");
    await waitForText(status, /Completed\s+Remediated/, 30_000);
    expect(await page.evaluate("window.__sameDocument")).toBe(true);

    const approval = page.locator('[data-stage="approval"]');
    expect(await approval.getAttribute("data-status")).toBe("done");
    expect(await approval.locator('[data-event="ApprovalDecided"] .event-text').textContent()).toBe(
      "Approved by alice via console — roll back to whatever preceded the bad deploy",
    );
    expect(await page.getByTestId("decision").textContent()).toMatch(/^Approved by alice via console at /);
    expect(await page.getByTestId("spec-hash").textContent()).toMatch(/[0-9a-f]{12} → [0-9a-f]{12} changed/);
    for (const stage of [
      "signal",
      "enrichment",
      "analysis",
      "policy",
      "execution",
      "rollout",
      "assessment",
    ]) {
      expect(await page.locator(`[data-stage="${stage}"]`).getAttribute("data-status")).toBe("done");
      expect(await page.locator(`[data-stage="${stage}"] .duration`).textContent()).toMatch(
        /\d+(\.\d)? (ms|s)/,
      );
    }
    expect(await page.getByTestId("effectiveness").textContent()).toMatch(
      /Score 1\.00, health and alert only: no metrics source configured/,
    );
    expect(await page.getByTestId("chain").textContent()).toMatch(/Audit hash chain intact/);
    await screenshot(page, "05-timeline-completed");

    // What the state machine did, and who the audit trail says decided.
    const found = await server.h.store.timeline(rr.id);
    expect(found?.remediation).toMatchObject({
      phase: "Completed",
      outcome: "Remediated",
      approvalDecision: {
        decision: "Approved",
        decidedBy: "alice",
        decidedVia: "console",
        override: { workflowName: "crashloop-rollback-v1", parameters: { toRevision: 0 } },
      },
      workflowExecution: { parameters: { toRevision: 0 } },
    });
    expect(found?.audit.find((e) => e.type === "ApprovalDecided")).toMatchObject({
      actor: { type: "user", id: "alice", channel: "console" },
      details: {
        proposed: { parameters: { toRevision: proposed } },
        approved: { parameters: { toRevision: 0 } },
        rationale: "roll back to whatever preceded the bad deploy",
      },
    });
    expect(verifyAuditChain(found?.audit ?? [])).toEqual({ ok: true });

    // The list finds it by workflow and outcome.
    await page.getByRole("link", { name: "Remediations" }).click();
    await page.getByLabel("Outcome").selectOption("Remediated");
    await page.getByLabel("Workflow").selectOption("crashloop-rollback-v1");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/outcome=Remediated&namespace=&workflow=crashloop-rollback-v1/);
    expect(await page.getByRole("link", { name: "Deployment production/checkout" }).count()).toBe(2);
    await screenshot(page, "06-remediations");

    // Alice may approve but not graduate: the trust ladder shows her no controls.
    await page.getByRole("link", { name: "Trust ladder" }).click();
    expect(await page.getByRole("button", { name: /Graduate|Pause/ }).count()).toBe(0);
    await alice.context.close();

    // An admin reads the graduation report and acts on it.
    const admin = await newSession(browser, server.url);
    await signIn(admin.page, PEOPLE.admin.token);
    await admin.page.getByRole("link", { name: "Trust ladder" }).click();
    const workflow = admin.page.locator('[data-workflow="crashloop-rollback-v1"]');
    expect(await workflow.getByTestId("level").textContent()).toBe("approve");
    const production = workflow.locator('[data-namespace="production"]');
    expect(await production.getByTestId("recommendation").textContent()).toBe("graduate to automate");
    expect(await production.locator(".evidence").textContent()).toContain("✓ 2 approval(s) in a row");
    expect(await workflow.getByTestId("score-chart").getAttribute("aria-label")).toBe(
      "Effectiveness scores of crashloop-rollback-v1 over time: 2 assessments, latest 1.00, mean 1.00",
    );
    await screenshot(admin.page, "07-trust-ladder");
    await production
      .getByRole("button", { name: "Graduate crashloop-rollback-v1 to automate in production" })
      .click();
    await admin.page.waitForURL(/notice=trust-changed/);
    expect(await workflow.getByTestId("level-production").textContent()).toBe("production: automate");
    // What actually happens, per namespace, next to the switch and the policy that decide it (issue 21).
    expect(await workflow.getByTestId("effective-production").textContent()).toBe(
      "in production: runs when the policy allows (Level 4: automate)",
    );
    expect(await workflow.getByTestId("effective").textContent()).toMatch(
      /^elsewhere: the policy decides, approval expected \(Level 3: approve\)/,
    );
    expect(await admin.page.getByTestId("global-dry-run").textContent()).toMatch(
      /^off \(remediationOrchestrator\.dryRun: false\)/,
    );
    expect(await admin.page.getByTestId("active-policy").textContent()).toMatch(
      /^starter\.wasm sha256 [0-9a-f]{12} loaded \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/,
    );
    const record = await server.h.deps.trust.get("crashloop-rollback-v1", "approve");
    expect(record).toMatchObject({
      level: "approve",
      namespaces: { production: "automate" },
      changedBy: "local-admin",
    });
    expect((await server.h.systemAudit.day(today())).at(-1)).toMatchObject({
      type: "TrustChanged",
      actor: { type: "user", id: "local-admin", channel: "console" },
      details: { workflowId: "crashloop-rollback-v1", to: { namespaces: { production: "automate" } } },
    });

    // The kill switch, both ways, audited.
    await admin.page.getByLabel("Reason").first().fill("change freeze");
    await admin.page.getByRole("button", { name: "Pause all execution" }).click();
    await admin.page.waitForURL(/notice=paused/);
    expect(await admin.page.getByRole("status").first().textContent()).toMatch(
      /Execution is paused by local-admin/,
    );
    expect(await server.h.deps.trust.paused()).toMatchObject({
      paused: true,
      by: "local-admin",
      reason: "change freeze",
    });
    await screenshot(admin.page, "08-kill-switch-paused");
    await admin.page.getByRole("button", { name: "Resume execution" }).click();
    await admin.page.waitForURL(/notice=resumed/);
    expect((await server.h.deps.trust.paused()).paused).toBe(false);
    const events = await server.h.systemAudit.day(today());
    expect(events.slice(-2).map((e) => [e.type, e.actor.channel])).toEqual([
      ["Paused", "console"],
      ["Resumed", "console"],
    ]);
    await admin.context.close();
  });

  it("a workflow demoted to observe ends DryRun, and its timeline shows the request it would have sent", async () => {
    const admin = await newSession(browser, server.url);
    const page = admin.page;
    await signIn(page, PEOPLE.admin.token);
    await page.getByRole("link", { name: "Trust ladder" }).click();
    const workflow = page.locator('[data-workflow="crashloop-rollback-v1"]');
    await workflow.getByText("Change the trust level of crashloop-rollback-v1").click();
    await workflow.getByLabel("Level").selectOption("observe");
    await workflow.getByLabel(/^Namespaces/).fill("staging");
    await workflow.getByLabel("Reason").fill("new rollback heuristics: watch them in staging first");
    await workflow.getByRole("button", { name: "Change trust level" }).click();
    await page.waitForURL(/notice=trust-changed/);
    expect(await workflow.getByTestId("level-staging").textContent()).toBe("staging: observe");

    const patches = () => server.cluster.simulator.requests.filter((r) => r.verb === "patch").length;
    const before = patches();
    const rr = await server.crashLoop("staging");
    expect(rr).toMatchObject({ phase: "Completed", outcome: "DryRun" });
    // Nothing ran: the only patch is the bad deploy itself.
    expect(patches() - before).toBe(1);
    await page.goto(`/console/remediations/${rr.id}`);
    expect(await page.getByTestId("status").textContent()).toMatch(
      /Completed\s+DryRun\s+Level 2 \(selective trust\)/,
    );
    const wouldHaveDone = (await page.getByTestId("would-have-done").textContent()) ?? "";
    expect(JSON.parse(wouldHaveDone)).toMatchObject({
      workflowId: "crashloop-rollback-v1",
      target: { kind: "Deployment", name: "checkout", namespace: "staging" },
      change: { calls: [{ method: "PATCH", contentType: "application/json-patch+json" }] },
    });
    for (const [stage, status] of Object.entries({
      analysis: "done",
      policy: "not-reached",
      approval: "not-reached",
      execution: "not-reached",
      assessment: "not-reached",
    })) {
      expect(await page.locator(`[data-stage="${stage}"]`).getAttribute("data-status")).toBe(status);
    }
    expect(await page.getByTestId("spec-hash").count()).toBe(0);
    await screenshot(page, "09-timeline-dry-run");
    await admin.context.close();
  });
});
