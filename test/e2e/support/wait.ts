import type { Locator, Page } from "playwright-core";

/**
 * Waits until a locator's text matches, for pages that change on their own (the live timeline). The
 * failure names what was expected and what was last seen, which is what one needs to read a CI log.
 */
export async function waitForText(locator: Locator, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    last = (await locator.textContent({ timeout: timeoutMs }).catch(() => "")) ?? "";
    if (pattern.test(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`expected ${pattern} within ${timeoutMs} ms; last saw: ${last.trim()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * What has keyboard focus: its tag and its name as a person would read it (its label, aria-label or
 * text). Evaluated in the page as a string, since the test code is compiled without DOM types.
 */
export async function focused(page: Page): Promise<{ tag: string; name: string }> {
  return page.evaluate(`(() => {
    const el = document.activeElement;
    if (!el) return { tag: "", name: "" };
    const label = el.id ? document.querySelector('label[for="' + el.id + '"]') : null;
    const name = (label ? label.textContent : el.getAttribute("aria-label") || el.textContent) || "";
    return { tag: el.tagName.toLowerCase(), name: name.replace(/\\s+/g, " ").trim() };
  })()`);
}
