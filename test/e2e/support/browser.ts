import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's Chromium (`.ci/run` installs the `chromium` package); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Where the run leaves a screenshot of each page for review (`.ci/out` is what CI keeps). */
export const SCREENSHOTS = resolve(import.meta.dirname, "..", "..", "..", ".ci", "out", "screenshots");

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium)`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // No sandbox: CI runs as root in a container; no background networking: nothing leaves loopback.
    args: ["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"],
  });
}

/** A fresh profile per person: its own cookies, so two people can be signed in side by side. */
export async function newSession(
  browser: Browser,
  baseURL: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(15_000);
  return { context, page: await context.newPage() };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Signs in through the form as a person would. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.goto("/console");
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/console\/approvals/);
}
