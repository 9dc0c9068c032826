import { describe, expect, it } from "vitest";
import { ConsoleSettingsError, consoleSettingsFromEnv } from "./settings";

const SECRET = "s".repeat(40);

describe("console settings", () => {
  it("needs a session secret of at least 32 characters, and says which variable", () => {
    expect(() => consoleSettingsFromEnv({})).toThrow(ConsoleSettingsError);
    expect(() => consoleSettingsFromEnv({ KUBERNAUT_CONSOLE_SECRET: "short" })).toThrow(
      "invalid console settings: KUBERNAUT_CONSOLE_SECRET: must be at least 32 characters",
    );
    expect(consoleSettingsFromEnv({ KUBERNAUT_CONSOLE_SECRET: SECRET })).toEqual({
      sessionSecret: SECRET,
      sessionMaxAgeSeconds: 28_800,
    });
  });

  it("reads single sign-on from JSON, with defaults, and refuses a mapping that names nobody", () => {
    const oidc = {
      issuer: "https://idp.example.com",
      clientId: "console",
      roles: [{ role: "admin", groups: ["sre"] }],
    };
    expect(
      consoleSettingsFromEnv({
        KUBERNAUT_CONSOLE_SECRET: SECRET,
        KUBERNAUT_CONSOLE_OIDC: JSON.stringify(oidc),
      }).oidc,
    ).toEqual({
      ...oidc,
      scopes: ["openid", "email", "profile"],
      nameClaim: "email",
      groupsClaim: "groups",
      roles: [{ role: "admin", groups: ["sre"], emails: [], scopes: [] }],
    });
    expect(() =>
      consoleSettingsFromEnv({
        KUBERNAUT_CONSOLE_SECRET: SECRET,
        KUBERNAUT_CONSOLE_OIDC: JSON.stringify({ ...oidc, roles: [{ role: "admin" }] }),
      }),
    ).toThrow("KUBERNAUT_CONSOLE_OIDC.roles.0: name at least one e-mail or group");
    expect(() =>
      consoleSettingsFromEnv({ KUBERNAUT_CONSOLE_SECRET: SECRET, KUBERNAUT_CONSOLE_OIDC: "{" }),
    ).toThrow("KUBERNAUT_CONSOLE_OIDC: not JSON");
  });
});
