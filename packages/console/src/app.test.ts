import type { RemediationRequest } from "@kubernaut/core";
import { describe, expect, it } from "vitest";
import { remediation } from "./testing/fixtures";
import { Browser, consoleHarness, TOKENS } from "./testing/harness";

const today = () => new Date().toISOString().slice(0, 10);

describe("console sessions", () => {
  it("sends people without a session to sign in, and back where they were going afterwards", async () => {
    // Prepare
    const { browser } = await consoleHarness();
    const b = browser();
    // Act
    const first = await b.get("/console/trust?notice=paused");
    // Assess
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/console/sign-in?next=%2Fconsole%2Ftrust%3Fnotice%3Dpaused");
    const form = await (await b.get("/console/sign-in?next=%2Fconsole%2Ftrust")).text();
    const signedIn = await b.post("/console/sign-in", {
      _csrf: Browser.csrf(form),
      token: TOKENS.admin,
      next: "/console/trust",
    });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get("location")).toBe("/console/trust");
    expect((await b.get("/console/trust")).status).toBe(200);
  });

  it("sets an HttpOnly, SameSite=Lax cookie on the console's path, Secure behind HTTPS, holding no token", async () => {
    const { browser } = await consoleHarness();
    const b = browser();
    const form = await (await b.get("/console/sign-in")).text();
    const response = await b.request("/console/sign-in", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: "http://localhost",
        "x-forwarded-proto": "https",
      },
      body: new URLSearchParams({ _csrf: Browser.csrf(form), token: TOKENS.admin, next: "" }).toString(),
    });
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith("kubernaut_console="));
    expect(cookie).toMatch(/; Max-Age=3600; Path=\/console; HttpOnly; Secure; SameSite=Lax$/);
    expect(cookie).not.toContain(TOKENS.admin);
    expect(response.headers.get("location")).toBe("/console/approvals");
  });

  it.each([
    ["an unknown token", "nope", 401, "That token is not valid here."],
    [
      "a viewer token",
      TOKENS.viewer,
      403,
      'Token "vera" has role viewer; the console needs an approver or admin token.',
    ],
  ])("refuses %s", async (_what, token, status, message) => {
    const { browser } = await consoleHarness();
    const b = browser();
    const response = await b.signIn(token);
    expect(response.status).toBe(status);
    expect(await response.text()).toContain(message.replace(/"/g, "&quot;"));
    expect(b.cookies.has("kubernaut_console")).toBe(false);
  });

  it("refuses a sign-in form that did not come from the console (login CSRF)", async () => {
    const { browser } = await consoleHarness();
    const b = browser();
    await b.get("/console/sign-in");
    const response = await b.post("/console/sign-in", {
      _csrf: "x".repeat(43),
      token: TOKENS.admin,
      next: "",
    });
    expect(response.status).toBe(403);
    expect(b.cookies.has("kubernaut_console")).toBe(false);
  });

  it("treats an edited or expired cookie, or a revoked token, as signed out", async () => {
    const h = await consoleHarness();
    const b = h.browser();
    await b.signIn(TOKENS.admin);
    expect((await b.get("/console/approvals")).status).toBe(200);

    // Edited: the signature no longer matches.
    const genuine = b.cookies.get("kubernaut_console") as string;
    const [value = "", signature = ""] = decodeURIComponent(genuine).split(".");
    const forged = JSON.parse(Buffer.from(value, "base64url").toString());
    forged.exp += 86_400;
    b.cookies.set(
      "kubernaut_console",
      encodeURIComponent(`${Buffer.from(JSON.stringify(forged)).toString("base64url")}.${signature}`),
    );
    expect((await b.get("/console/approvals")).status).toBe(303);

    // Expired: the expiry inside the signature counts, whatever the browser keeps.
    b.cookies.set("kubernaut_console", genuine);
    h.clock.now = new Date(h.clock.now.getTime() + 3_601_000);
    expect((await b.get("/console/approvals")).status).toBe(303);
    h.clock.now = new Date();
    expect((await b.get("/console/approvals")).status).toBe(200);

    // Revoked: the token left the configuration.
    h.config.auth.apiTokens = h.config.auth.apiTokens.filter((t) => t.name !== "local-admin");
    expect((await b.get("/console/approvals")).status).toBe(303);
  });

  it("signs out only with the form's token", async () => {
    const { browser } = await consoleHarness();
    const b = browser();
    await b.signIn(TOKENS.admin);
    const page = await (await b.get("/console/approvals")).text();
    expect((await b.post("/console/sign-out", {})).status).toBe(403);
    const out = await b.post("/console/sign-out", { _csrf: Browser.csrf(page) });
    expect(out.headers.get("location")).toBe("/console/sign-in");
    expect(b.cookies.has("kubernaut_console")).toBe(false);
  });
});

describe("console pages", () => {
  it("escapes what alerts and models wrote, and serves a CSP that forbids inline script", async () => {
    const h = await consoleHarness();
    const base = remediation();
    const rr = remediation({
      id: "rr-0mwwxht88-45ed7da8af39-000001",
      ...(base.analysis
        ? { analysis: { ...base.analysis, rootCause: `<img src=x onerror="alert(1)">` } }
        : {}),
    });
    await h.seed(rr);
    const b = h.browser();
    await b.signIn(TOKENS.admin);
    const response = await b.get("/console/approvals");
    const page = await response.text();
    expect(page).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(page).not.toContain("<img src=x");
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("decides through decideApproval: scopes refused and audited with the console as channel; a decision delivered", async () => {
    const h = await consoleHarness();
    const rr = remediation({ id: "rr-0mwwxht88-45ed7da8af39-000002" });
    const approval = await h.seed(rr);
    if (!approval) throw new Error("no approval");

    // Stella approves for staging only: refused, nothing decided, the refusal audited.
    const stella = h.browser();
    await stella.signIn(TOKENS.staging);
    const queue = await (await stella.get("/console/approvals")).text();
    expect(queue).toContain(`data-approval="${approval.id}"`);
    const refused = await stella.post(`/console/approvals/${approval.id}/decision`, {
      _csrf: Browser.csrf(queue),
      decision: "Approved",
    });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain(
      "stella (approver) may not decide approvals in Production/production",
    );
    expect((await h.approvals.get(approval.id))?.decision).toBeUndefined();
    expect((await h.systemAudit.day(today())).at(-1)).toMatchObject({
      type: "DecisionRefused",
      actor: { id: "stella", channel: "console" },
    });

    // The admin rejects it with a message: decided, delivered, and the timeline says who.
    const admin = h.browser();
    await admin.signIn(TOKENS.admin);
    const page = await (await admin.get("/console/approvals")).text();
    const decided = await admin.post(`/console/approvals/${approval.id}/decision`, {
      _csrf: Browser.csrf(page),
      decision: "Rejected",
      message: "not during the sale",
    });
    expect(decided.headers.get("location")).toBe(`/console/remediations/${rr.id}?notice=rejected`);
    expect(await h.approvals.get(approval.id)).toMatchObject({
      decision: "Rejected",
      decidedBy: "local-admin",
      decidedVia: "console",
      message: "not during the sale",
    });
    expect(h.sent.map((a) => a.id)).toEqual([approval.id]);
    const timeline = await (await admin.get(`/console/remediations/${rr.id}?notice=rejected`)).text();
    expect(timeline).toContain("Rejected by local-admin via console — “not during the sale”");
    expect(timeline).toContain("Rejected. The remediation ends Failed (Approval).");

    // A second decision is a conflict shown on the queue, not a second write.
    const again = await admin.post(`/console/approvals/${approval.id}/decision`, {
      _csrf: Browser.csrf(page),
      decision: "Approved",
    });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("is already Rejected by local-admin");
    expect(h.sent).toHaveLength(1);
  });

  it("approves with changes only when the server's validation passes, and shows each problem by its field", async () => {
    const h = await consoleHarness();
    const rr = remediation({ id: "rr-0mwwxht88-45ed7da8af39-000003" });
    const approval = await h.seed(rr);
    if (!approval) throw new Error("no approval");
    const b = h.browser();
    await b.signIn(TOKENS.admin);
    const form = await (await b.get(`/console/approvals/${approval.id}?workflow=scale-replicas-v1`)).text();
    expect(form).toContain('name="param_replicas"');
    expect(form).toContain('min="1" max="100"');

    const refused = await b.post(`/console/approvals/${approval.id}/changes`, {
      _csrf: Browser.csrf(form),
      workflow: "scale-replicas-v1",
      param_replicas: "500",
      rationale: "",
    });
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toContain(
      '<p class="error" id="param-replicas-error" data-testid="error-replicas">replicas: must be ≤ 100</p>',
    );
    expect(page).toContain("rationale: say why the parameters change");
    expect(page).toContain('value="500"');
    expect((await h.approvals.get(approval.id))?.decision).toBeUndefined();

    // A workflow that does not act on this kind of target is not offered and not accepted.
    const wrongKind = await b.post(`/console/approvals/${approval.id}/changes`, {
      _csrf: Browser.csrf(form),
      workflow: "cordon-drain-node-v1",
      param_drain: "true",
      rationale: "x",
    });
    expect(wrongKind.status).toBe(400);

    // Level 2 holds for the workflow the change would run: at observe it is refused, saying why.
    const observed = await b.post(`/console/approvals/${approval.id}/changes`, {
      _csrf: Browser.csrf(form),
      workflow: "scale-replicas-v1",
      param_replicas: "6",
      rationale: "more capacity instead of a rollback",
    });
    expect(observed.status).toBe(409);
    expect(await observed.text()).toContain("workflow scale-replicas-v1 is at trust level observe");
    expect((await h.approvals.get(approval.id))?.decision).toBeUndefined();
    await h.trust.setLevel(
      "scale-replicas-v1",
      { level: "approve", actor: "admin", reason: "trusted to run with approval", at: new Date() },
      "observe",
    );

    const approved = await b.post(`/console/approvals/${approval.id}/changes`, {
      _csrf: Browser.csrf(form),
      workflow: "scale-replicas-v1",
      param_replicas: "6",
      rationale: "more capacity instead of a rollback",
    });
    expect(approved.headers.get("location")).toBe(
      `/console/remediations/${rr.id}?notice=approved-with-changes`,
    );
    expect(await h.approvals.get(approval.id)).toMatchObject({
      decision: "Approved",
      decidedVia: "console",
      override: {
        workflowName: "scale-replicas-v1",
        parameters: { replicas: 6 },
        rationale: "more capacity instead of a rollback",
      },
    });
  });

  it.each<{
    case: string;
    effectiveness: Omit<NonNullable<RemediationRequest["effectiveness"]>, "assessedAt">;
    outcome: "Remediated" | "Inconclusive";
    shows: string[];
  }>([
    {
      case: "a 1.00 from health alone reads as a success, with what it rests on",
      effectiveness: {
        score: 1,
        reason: "Full",
        completeness: "health only: no alert or metrics source configured",
        components: { health: 1 },
        details: {
          health: "all 3 pods ready, no restarts",
          alert: "not assessed: no Alertmanager configured and no resolved notification received",
          metrics: "not assessed: no Prometheus configured",
        },
      },
      outcome: "Remediated",
      shows: [
        "Score <strong>1.00</strong>, health only: no alert or metrics source configured",
        "<li>health 1.00: all 3 pods ready, no restarts</li>",
        "<li>metrics not assessed: no Prometheus configured</li>",
      ],
    },
    {
      case: "an assessment that measured nothing has no score, not 0.00, and says why",
      effectiveness: {
        score: null,
        reason: "Expired",
        completeness: "nothing assessed: no health for this kind of target, no alert data",
        components: {},
        details: { health: "not assessed: a HorizontalPodAutoscaler has no pods of its own" },
      },
      outcome: "Inconclusive",
      shows: [
        "Score <strong>not scored</strong>, nothing assessed: no health for this kind of target, no alert data",
        "<li>health not assessed: a HorizontalPodAutoscaler has no pods of its own</li>",
      ],
    },
  ])(
    "shows the effectiveness apart from its completeness: $case",
    async ({ effectiveness, outcome, shows }) => {
      const h = await consoleHarness();
      const rr = remediation({
        id: `rr-0mwwxht88-45ed7da8af39-00000${outcome === "Remediated" ? 6 : 7}`,
        phase: "Completed",
        outcome,
        effectiveness: { ...effectiveness, assessedAt: "2026-11-26T02:35:00.000Z" },
      });
      await h.seed(rr);
      const b = h.browser();
      await b.signIn(TOKENS.admin);
      const page = await (await b.get(`/console/remediations/${rr.id}`)).text();
      for (const text of shows) expect(page).toContain(text);
      expect(page).not.toContain("0.00");
    },
  );

  it("answers the live view with 304 until the remediation changes", async () => {
    const h = await consoleHarness();
    const rr = remediation({ id: "rr-0mwwxht88-45ed7da8af39-000004", phase: "Executing" });
    await h.seed(rr);
    const b = h.browser();
    await b.signIn(TOKENS.admin);
    const first = await b.get(`/console/remediations/${rr.id}/live`);
    const tag = first.headers.get("etag") as string;
    expect(await first.text()).toMatch(/^<div id="live" [^>]*data-final="false"/);
    const unchanged = await b.request(`/console/remediations/${rr.id}/live`, {
      headers: { "if-none-match": tag },
    });
    expect(unchanged.status).toBe(304);

    await h.store.transition(
      rr.id,
      {
        from: ["Executing"],
        to: "Failed",
        failurePhase: "Execution",
        reason: "PreconditionFailed: no revision",
      },
      { type: "system", id: "pipeline", channel: "pipeline" },
    );
    const changed = await b.request(`/console/remediations/${rr.id}/live`, {
      headers: { "if-none-match": tag },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(tag);
    const fragment = await changed.text();
    expect(fragment).toContain('data-final="true"');
    expect(fragment).toContain("PreconditionFailed: no revision");
  });

  it("changes trust levels and the kill switch for admins only, audited with the console as channel", async () => {
    const h = await consoleHarness();
    const approver = h.browser();
    await approver.signIn(TOKENS.staging);
    const seen = await (await approver.get("/console/trust")).text();
    expect(seen).not.toContain("Pause all execution");
    const refused = await approver.post("/console/trust/restart-pod-v1", {
      _csrf: Browser.csrf(seen),
      level: "automate",
      reason: "trust me",
    });
    expect(refused.status).toBe(403);

    const admin = h.browser();
    await admin.signIn(TOKENS.admin);
    const page = await (await admin.get("/console/trust")).text();
    const invalid = await admin.post("/console/trust/restart-pod-v1", {
      _csrf: Browser.csrf(page),
      level: "yolo",
      reason: "x",
    });
    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toContain("Nothing was changed: level:");
    const unknown = await admin.post("/console/trust/nope-v1", {
      _csrf: Browser.csrf(page),
      level: "approve",
      reason: "x",
    });
    expect(unknown.status).toBe(404);

    const changed = await admin.post("/console/trust/restart-pod-v1", {
      _csrf: Browser.csrf(page),
      level: "automate",
      namespaces: "staging, dev",
      reason: "20 Full assessments",
    });
    expect(changed.headers.get("location")).toBe("/console/trust?notice=trust-changed#wf-restart-pod-v1");
    // The rest of the workflow stays where a new workflow starts (newWorkflowsDryRun: observe).
    expect(await h.trust.get("restart-pod-v1", "approve")).toMatchObject({
      level: "observe",
      namespaces: { staging: "automate", dev: "automate" },
      changedBy: "local-admin",
    });
    const paused = await admin.post("/console/pause", { _csrf: Browser.csrf(page), reason: "incident" });
    expect(paused.headers.get("location")).toBe("/console/trust?notice=paused");
    expect(await (await admin.get("/console/approvals")).text()).toContain(
      "Execution is paused</strong> by local-admin",
    );
    const events = await h.systemAudit.day(today());
    expect(events.map((e) => [e.type, e.actor.id, e.actor.channel])).toEqual([
      ["TrustChanged", "local-admin", "console"],
      ["Paused", "local-admin", "console"],
    ]);
  });

  it("filters the remediation list, and shows bad filters, unknown pages and ids as pages", async () => {
    const h = await consoleHarness();
    await h.seed(
      remediation({ id: "rr-0mwwxht88-45ed7da8af39-000005", phase: "Completed", outcome: "DryRun" }),
    );
    await h.seed(
      remediation({
        id: "rr-0mwwxht88-45ed7da8af39-000006",
        phase: "Failed",
        targetResource: { kind: "Deployment", name: "cart", namespace: "staging" },
      }),
    );
    const b = h.browser();
    await b.signIn(TOKENS.admin);
    const dryRuns = await (
      await b.get("/console/remediations?phase=&outcome=DryRun&namespace=&workflow=")
    ).text();
    expect(dryRuns).toContain("rr-0mwwxht88-45ed7da8af39-000005");
    expect(dryRuns).not.toContain("rr-0mwwxht88-45ed7da8af39-000006");
    const staging = await (await b.get("/console/remediations?namespace=staging")).text();
    expect(staging).toContain("Deployment staging/cart");
    expect(staging).not.toContain("production/checkout");
    expect((await b.get("/console/remediations?phase=Sleeping")).status).toBe(400);
    expect((await b.get("/console/remediations?cursor=bm9wZQ")).status).toBe(400);
    const missing = await b.get("/console/remediations/rr-0000000000-nothing-here");
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("remediation rr-0000000000-nothing-here does not exist");
    expect((await b.get("/console/nowhere")).status).toBe(404);
  });
});
