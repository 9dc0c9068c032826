import { createHmac } from "node:crypto";

export const SIGNING_SECRET = "evidence-slack-signing-secret-0001";
export const TEAM = "T0EVIDENCE";
export const APP = "A0EVIDENCE";
/** A Slack user who approves in production; any other user id is no approver. */
export const SLACK_PROD_APPROVER = "U0PRODAPPROVER";

/** Slack's v0 signature over the raw body: `v0=hex(HMAC-SHA256(secret, "v0:<ts>:<body>"))`. */
export function slackSignature(body: string, timestamp: string, secret = SIGNING_SECRET): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

/** A form-encoded interaction signed the way Slack signs it, as a `Request` init. */
export function signedInteraction(payload: unknown, options: { at?: number; secret?: string } = {}) {
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const timestamp = String(options.at ?? Math.floor(Date.now() / 1000));
  return {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": slackSignature(body, timestamp, options.secret),
    },
    body,
  };
}

/** A button click on an approval message. */
export const click = (user: string, action: string, rarId: string, team = TEAM, app = APP) => ({
  type: "block_actions",
  team: { id: team },
  api_app_id: app,
  user: { id: user },
  trigger_id: "1234.5678.evidence",
  channel: { id: "C0ONCALL" },
  actions: [{ action_id: action, value: rarId }],
});
