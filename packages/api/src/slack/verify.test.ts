import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifySlackSignature } from "./verify";

// Slack's published example ("Verifying requests from Slack"): secret, timestamp, body and signature.
const EXAMPLE = {
  signingSecret: "8f742231b10e8888abcd99yyyzzz85a5",
  timestamp: "1531420618",
  rawBody:
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
  signature: "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
};

describe("verifySlackSignature", () => {
  it("accepts Slack's published example, given its timestamp as now", () => {
    expect(verifySlackSignature({ ...EXAMPLE, nowSeconds: 1531420618 })).toEqual({ ok: true });
  });

  it.each([
    { case: "a replay after 5 minutes", change: { nowSeconds: 1531420618 + 301 }, reason: /replay window/ },
    {
      case: "a timestamp from the future",
      change: { nowSeconds: 1531420618 - 301 },
      reason: /replay window/,
    },
    { case: "a tampered body", change: { rawBody: `${EXAMPLE.rawBody}&x=1` }, reason: /mismatch/ },
    { case: "another secret", change: { signingSecret: "0".repeat(32) }, reason: /mismatch/ },
    { case: "no signature", change: { signature: undefined }, reason: /X-Slack-Signature/ },
    {
      case: "a truncated signature",
      change: { signature: EXAMPLE.signature.slice(0, 20) },
      reason: /mismatch/,
    },
    { case: "no timestamp", change: { timestamp: undefined }, reason: /Timestamp/ },
  ])("refuses $case", ({ change, reason }) => {
    const result = verifySlackSignature({ ...EXAMPLE, nowSeconds: 1531420618, ...change });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it("is the HMAC of v0:timestamp:body", () => {
    const signature = `v0=${createHmac("sha256", "s").update("v0:100:a=b").digest("hex")}`;
    expect(
      verifySlackSignature({
        signingSecret: "s",
        timestamp: "100",
        rawBody: "a=b",
        signature,
        nowSeconds: 100,
      }),
    ).toEqual({ ok: true });
  });
});
