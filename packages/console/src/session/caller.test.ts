import type { ApiTokenConfig } from "@kubernaut/config";
import { describe, expect, it } from "vitest";
import { OidcSettings } from "../settings";
import { callerFor, oidcCaller, signInWithToken, tokenHash } from "./caller";

const TOKENS: ApiTokenConfig[] = [
  {
    name: "oncall",
    role: "approver",
    sha256: tokenHash("approver-token"),
    scopes: [{ environments: ["Staging"], namespaces: [] }],
  },
  { name: "root", role: "admin", sha256: tokenHash("admin-token"), scopes: [] },
  { name: "dashboards", role: "viewer", sha256: tokenHash("viewer-token"), scopes: [] },
];

describe("token sign-in", () => {
  it.each([
    ["approver-token", { ok: true, caller: { name: "oncall", role: "approver" } }],
    ["  admin-token\n", { ok: true, caller: { name: "root", role: "admin" } }],
    ["viewer-token", { ok: false, status: 403 }],
    ["nobody", { ok: false, status: 401 }],
    ["", { ok: false, status: 401 }],
  ])("%j → %j", (token, expected) => {
    expect(signInWithToken(token, TOKENS)).toMatchObject(expected);
  });

  it("looks the session's token up again, so removing it from the configuration signs it out", () => {
    const result = signInWithToken("approver-token", TOKENS);
    if (!result.ok) throw new Error("expected a sign-in");
    expect(callerFor(result.subject, TOKENS, undefined)).toEqual({
      name: "oncall",
      role: "approver",
      scopes: [{ environments: ["Staging"], namespaces: [] }],
    });
    expect(callerFor(result.subject, TOKENS.slice(1), undefined)).toBeUndefined();
    // Demoted to viewer: no longer a console user.
    expect(
      callerFor(result.subject, [{ ...(TOKENS[0] as ApiTokenConfig), role: "viewer" }], undefined),
    ).toBeUndefined();
  });
});

describe("identity-provider roles", () => {
  const settings = OidcSettings.parse({
    issuer: "https://idp.example.com",
    clientId: "console",
    roles: [
      { role: "admin", emails: ["Ada@Example.com"] },
      { role: "approver", groups: ["oncall"], scopes: [{ environments: ["Production"] }] },
    ],
  });

  it.each([
    [
      { name: "ada", email: "ada@example.com", groups: [] },
      { role: "admin", scopes: [] },
    ],
    [{ name: "bo", email: "bo@example.com", groups: ["oncall"] }, { role: "approver" }],
    [{ name: "cy", email: "cy@example.com", groups: ["devs"] }, undefined],
  ])("%j → %j", (who, expected) => {
    const caller = oidcCaller(who, settings);
    if (expected === undefined) expect(caller).toBeUndefined();
    else expect(caller).toMatchObject({ name: who.name, ...expected });
  });

  it("is re-mapped on every request, and nothing without single sign-on configured", () => {
    const subject = { kind: "oidc" as const, name: "bo", email: "bo@example.com", groups: ["oncall"] };
    expect(callerFor(subject, TOKENS, settings)).toMatchObject({ role: "approver" });
    expect(callerFor(subject, TOKENS, undefined)).toBeUndefined();
  });
});
