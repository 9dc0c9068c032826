import { logger } from "@kubernaut/telemetry";
import { type Context, Hono } from "hono";
import { BASE, type ConsoleDeps, type ConsoleEnv } from "../deps";
import { formText } from "../form-fields";
import { html } from "../html";
import { csrfField, page } from "../layout";
import { signInWithToken } from "./caller";
import { endSession, newCsrfToken, readSignedValue, setSignedValue, startSession } from "./cookie";
import { CSRF_FIELD, csrfMatches, requireCsrf, safeNext } from "./middleware";

/** The sign-in form's own CSRF token, before there is a session to hold one (login CSRF). */
const SIGN_IN_COOKIE = "kubernaut_console_signin";
const SIGN_IN_TTL_SECONDS = 3600;

/** Token sign-in and sign-out (the identity provider's routes are in ./oidc). */
export function sessionPages(deps: ConsoleDeps) {
  const now = () => deps.now?.() ?? new Date();

  const signInForm = async (
    c: Context<ConsoleEnv>,
    next: string,
    error?: string,
    status: 200 | 401 | 403 = 200,
  ) => {
    const stored = await readSignedValue(c, SIGN_IN_COOKIE, deps.settings.sessionSecret);
    const token = typeof stored === "string" && stored.length >= 32 ? stored : newCsrfToken();
    await setSignedValue(c, SIGN_IN_COOKIE, token, deps.settings.sessionSecret, SIGN_IN_TTL_SECONDS);
    const body = html`<form method="post" action="${BASE}/sign-in" class="sign-in">
${csrfField(token)}
<input type="hidden" name="next" value="${next}">
<div class="field${error ? " field-error" : ""}">
<label for="token">API token</label>
<p class="hint" id="token-hint">An approver or admin token, as the API and the CLI use (<code>KUBERNAUT_ADMIN_TOKEN</code> locally). It is checked against the configured hashes and never stored.</p>
${error && html`<p class="error" id="token-error" role="alert" data-testid="sign-in-error">${error}</p>`}
<input type="password" id="token" name="token" required autocomplete="off" aria-describedby="token-hint${error ? " token-error" : ""}"${error ? html` aria-invalid="true"` : ""}>
</div>
<div class="actions"><button type="submit" class="primary">Sign in</button></div>
</form>
${deps.settings.oidc && html`<p><a class="button" href="${BASE}/oidc/sign-in?next=${encodeURIComponent(next)}">Sign in with single sign-on</a></p>`}`;
    return c.html(page({ title: "Sign in", section: "none", body }).value, status);
  };

  return new Hono<ConsoleEnv>()
    .get("/sign-in", async (c) => {
      const next = safeNext(c.req.query("next"));
      if (c.get("caller")) return c.redirect(next, 303);
      return signInForm(c, next);
    })
    .post("/sign-in", async (c) => {
      const form = await c.req.parseBody();
      const next = safeNext(formText(form, "next"));
      const expected = await readSignedValue(c, SIGN_IN_COOKIE, deps.settings.sessionSecret);
      if (typeof expected !== "string" || !csrfMatches(expected, form[CSRF_FIELD])) {
        return signInForm(c, next, "The sign-in form expired; try again.", 403);
      }
      const result = signInWithToken(formText(form, "token"), deps.decisions.config().auth.apiTokens);
      if (!result.ok) {
        logger.warn("console sign-in refused", { status: result.status });
        return signInForm(c, next, result.message, result.status);
      }
      await startSession(c, deps.settings, result.subject, now());
      return c.redirect(next, 303);
    })
    .post("/sign-out", requireCsrf, async (c) => {
      endSession(c);
      return c.redirect(`${BASE}/sign-in`, 303);
    });
}
