import { readFileSync } from "node:fs";
import { join } from "node:path";

const DIR = join(import.meta.dirname, "..", "fixtures", "alertmanager");

export function fixtureText(name: string): string {
  return readFileSync(join(DIR, name), "utf8");
}

export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}
