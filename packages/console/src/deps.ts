import type { DecisionDeps } from "@kubernaut/approvals";
import type { Caller } from "@kubernaut/http";
import type { TrustStore } from "@kubernaut/store";
import type { Session } from "./session/cookie";
import type { ConsoleSettings } from "./settings";

/**
 * What the console needs. Decisions take the approvals group's own dependencies, so a decision made
 * here goes through `decideApproval` — scopes, one conditional write, override validation, policy
 * re-evaluation, outbox, audit — exactly as one made through the API, the CLI or Slack.
 */
export interface ConsoleDeps {
  decisions: DecisionDeps;
  trust: TrustStore;
  settings: ConsoleSettings;
  /** The OIDC client's HTTP (tests hand in an in-process identity provider). */
  fetch?: typeof fetch;
  now?: () => Date;
}

export type ConsoleEnv = {
  Variables: {
    session: Session | undefined;
    caller: Caller | undefined;
  };
};

export const BASE = "/console";
