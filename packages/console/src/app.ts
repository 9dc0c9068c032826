import { ApiError } from "@kubernaut/http";
import { isTransientError } from "@kubernaut/store";
import { logger } from "@kubernaut/telemetry";
import { type Context, Hono } from "hono";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { approvalPages } from "./approvals/routes";
import { CONSOLE_JS } from "./assets/script";
import { CONSOLE_CSS } from "./assets/style";
import { BASE, type ConsoleDeps, type ConsoleEnv } from "./deps";
import { html } from "./html";
import { page } from "./layout";
import { remediationPages } from "./remediations/routes";
import { loadSession, requireSignIn } from "./session/middleware";
import { oidcPages } from "./session/oidc";
import { sessionPages } from "./session/routes";
import { trustPages } from "./trust/routes";

function errorPage(c: Context<ConsoleEnv>, status: ContentfulStatusCode, message: string) {
  const title =
    status === 404
      ? "Not found"
      : status === 403
        ? "Not allowed"
        : status >= 500
          ? "Something went wrong"
          : "That did not work";
  const body = html`<p role="alert" data-testid="error">${message}</p>
<p><a href="${BASE}/approvals">Back to the approval queue</a></p>`;
  return c.html(
    page({ title, section: "none", caller: c.get("caller"), csrf: c.get("session")?.csrf, body }).value,
    status,
  );
}

/**
 * The console (DESIGN §2: its own route group, its own Lambda on AWS; the local loop mounts it next to
 * the API). Server-rendered HTML under `/console`, usable without scripts; signed-in approvers and
 * admins only; every form carries a CSRF token; decisions and trust changes go through the same code as
 * the API's, so they are validated, authorised and audited the same way, with the console as channel.
 */
export function createConsole(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>().basePath(BASE);
  app.onError((error, c) => {
    if (error instanceof ApiError) return errorPage(c, error.status, error.message);
    if (error instanceof HTTPException) {
      const message =
        error.status === 403
          ? "This request did not come from a console page; nothing was changed."
          : error.message;
      return errorPage(c, error.status, message);
    }
    if (isTransientError(error)) {
      logger.warn("transient failure in the console", { error, path: c.req.path });
      c.header("Retry-After", "5");
      return errorPage(c, 503, "A dependency is temporarily unavailable; reload in a moment.");
    }
    logger.error("unhandled console error", { error, path: c.req.path });
    return errorPage(c, 500, "Internal error; it has been logged.");
  });
  app.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
      referrerPolicy: "same-origin",
    }),
  );
  // Refuses form posts from other origins before anything reads the body (defence in depth beside the
  // per-session token and SameSite cookies).
  app.use("*", csrf());
  app.use("*", async (c, next) => {
    await next();
    // Pages show who is signed in and carry CSRF tokens: never cache them anywhere.
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  });
  app.get("/assets/console.css", (c) => {
    c.header("Cache-Control", "public, max-age=300");
    return c.body(CONSOLE_CSS, 200, { "Content-Type": "text/css; charset=utf-8" });
  });
  app.get("/assets/console.js", (c) => {
    c.header("Cache-Control", "public, max-age=300");
    return c.body(CONSOLE_JS, 200, { "Content-Type": "text/javascript; charset=utf-8" });
  });
  app.use("*", loadSession(deps));
  app.route("/", sessionPages(deps));
  if (deps.settings.oidc) app.route("/", oidcPages(deps, deps.settings.oidc));
  app.use("*", requireSignIn);
  app.get("/", (c) => c.redirect(`${BASE}/approvals`, 303));
  app.route("/", approvalPages(deps));
  app.route("/", remediationPages(deps));
  app.route("/", trustPages(deps));
  // A catch-all rather than notFound, so an unknown console path gets this page when mounted too.
  app.all("/*", (c) => errorPage(c, 404, `No console page at ${c.req.path}.`));
  return app;
}
