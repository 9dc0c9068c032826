import type { Caller } from "@kubernaut/http";
import { BASE } from "./deps";
import { formatTime } from "./format";
import { html, type Renderable, type SafeHtml } from "./html";
import { CSRF_FIELD } from "./session/middleware";

export type Section = "approvals" | "remediations" | "trust" | "none";

export interface Chrome {
  caller?: Caller | undefined;
  csrf?: string | undefined;
  /** The kill switch: shown on every page, because an operator must never miss that nothing runs. */
  paused?: { paused: boolean; by?: string | undefined; at?: string | undefined; reason?: string | undefined };
}

export interface PageOptions extends Chrome {
  title: string;
  section: Section;
  body: Renderable;
  /** A short status line after an action (already a fixed text, never echoed input). */
  notice?: { kind: "success" | "error"; text: string } | undefined;
}

const NAV: Array<{ section: Exclude<Section, "none">; href: string; label: string }> = [
  { section: "approvals", href: `${BASE}/approvals`, label: "Approval queue" },
  { section: "remediations", href: `${BASE}/remediations`, label: "Remediations" },
  { section: "trust", href: `${BASE}/trust`, label: "Trust ladder" },
];

/** The hidden field every form carries (see requireCsrf). */
export function csrfField(token: string | undefined): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token ?? ""}">`;
}

/**
 * The page shell: a skip link first (keyboard users land on the content in one key press), the
 * navigation with the current page marked for screen readers, who is signed in, the kill-switch banner,
 * and one <main> that the skip link and notices focus.
 */
export function page(options: PageOptions): SafeHtml {
  const { caller, csrf, paused } = options;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Kubernaut console</title>
<link rel="stylesheet" href="${BASE}/assets/console.css">
<script src="${BASE}/assets/console.js" defer></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
<header class="masthead">
<p class="brand"><a href="${BASE}/approvals">Kubernaut</a></p>
${
  caller &&
  html`<nav aria-label="Console">
<ul>${NAV.map(
    (item) =>
      html`<li><a href="${item.href}"${item.section === options.section ? html` aria-current="page"` : ""}>${item.label}</a></li>`,
  )}</ul>
</nav>
<div class="who">
<span>Signed in as <strong data-testid="signed-in-as">${caller.name}</strong> (${caller.role})</span>
<form method="post" action="${BASE}/sign-out">${csrfField(csrf)}<button type="submit" class="link">Sign out</button></form>
</div>`
}
</header>
${
  paused?.paused &&
  html`<div class="banner banner-paused" role="status"><strong>Execution is paused</strong> by ${paused.by ?? "unknown"} since ${formatTime(paused.at)}${paused.reason ? `: ${paused.reason}` : ""}. Remediations reaching execution end Blocked.</div>`
}
<main id="main" tabindex="-1">
<h1>${options.title}</h1>
${
  options.notice &&
  html`<p class="notice notice-${options.notice.kind}" role="${options.notice.kind === "error" ? "alert" : "status"}">${options.notice.text}</p>`
}
${options.body}
</main>
</body>
</html>`;
}
