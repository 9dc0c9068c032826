/**
 * Markup that is already safe to send: the only way to produce it is the `html` tag (which escapes
 * every interpolated value) or `trusted` for the few constants that must not be escaped. Pages are
 * built from it synchronously, so rendering a list is a string join, not a tree of promises.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Renderable = SafeHtml | string | number | boolean | null | undefined | readonly Renderable[];

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for element content and quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

function render(value: Renderable): string {
  if (value === null || value === undefined || value === false || value === true) return "";
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

/**
 * The template tag every page uses. Interpolated strings are escaped — alert labels, annotations and
 * model output all reach these pages, and none of it may become markup; booleans and nullish values
 * render nothing so `${cond && html`…`}` reads naturally.
 */
export function html(strings: TemplateStringsArray, ...values: Renderable[]): SafeHtml {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? "");
  return new SafeHtml(out);
}

/** Marks a constant as markup (never call it on data). */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** Joins renderables with a separator (escaped like any other value). */
export function join(items: readonly Renderable[], separator: Renderable): SafeHtml {
  return new SafeHtml(items.map(render).join(render(separator)));
}
