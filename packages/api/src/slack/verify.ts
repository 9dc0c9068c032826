import { createHmac, timingSafeEqual } from "node:crypto";

/** Why a request failed verification, as a short label for metrics; `reason` says it in words. */
export type SlackVerificationFailure =
  | "no_timestamp"
  | "replay_window"
  | "no_signature"
  | "signature_mismatch";

export type SlackVerification = { ok: true } | { ok: false; reason: string; code: SlackVerificationFailure };

/** Slack's replay window: a request signed more than five minutes from now is refused. */
export const SLACK_REPLAY_WINDOW_SECONDS = 300;

/**
 * Slack's v0 request signing: `v0=hex(HMAC-SHA256(signing secret, "v0:<timestamp>:<raw body>"))`,
 * compared in constant time, within the replay window. The body must be the exact bytes Slack sent
 * (on Lambda, after base64-decoding), never a re-serialisation of the parsed form.
 */
export function verifySlackSignature(input: {
  signingSecret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: string;
  nowSeconds: number;
}): SlackVerification {
  const { timestamp, signature } = input;
  if (!timestamp || !/^\d+$/.test(timestamp))
    return { ok: false, reason: "missing or malformed X-Slack-Request-Timestamp", code: "no_timestamp" };
  if (Math.abs(input.nowSeconds - Number(timestamp)) > SLACK_REPLAY_WINDOW_SECONDS) {
    return { ok: false, reason: "timestamp outside the 5-minute replay window", code: "replay_window" };
  }
  if (!signature?.startsWith("v0="))
    return { ok: false, reason: "missing or malformed X-Slack-Signature", code: "no_signature" };
  const expected = Buffer.from(
    `v0=${createHmac("sha256", input.signingSecret).update(`v0:${timestamp}:${input.rawBody}`).digest("hex")}`,
  );
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: "signature mismatch", code: "signature_mismatch" };
  return { ok: true };
}
