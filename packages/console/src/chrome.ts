import type { Context } from "hono";
import type { ConsoleDeps, ConsoleEnv } from "./deps";
import type { Chrome } from "./layout";

/** What every page's shell shows: who is signed in, their form token, and whether execution is paused. */
export async function chrome(deps: ConsoleDeps, c: Context<ConsoleEnv>): Promise<Chrome> {
  return { caller: c.get("caller"), csrf: c.get("session")?.csrf, paused: await deps.trust.paused() };
}
