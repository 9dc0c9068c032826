import { createHash, generateKeyPairSync } from "node:crypto";
import { Hono } from "hono";
import { sign } from "hono/jwt";
import type { HonoJsonWebKey } from "hono/utils/jwt/jws";
import { describe, expect, it } from "vitest";
import { OidcSettings } from "../settings";
import { consoleHarness } from "../testing/harness";

const ISSUER = "https://idp.test";
const CLIENT = { id: "kubernaut-console", secret: "console-client-secret" };

function keyPair(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    private: { ...privateKey.export({ format: "jwk" }), kid, alg: "RS256" } as HonoJsonWebKey,
    public: { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" } as HonoJsonWebKey,
  };
}

/**
 * An OpenID provider in-process (discovery, keys, token endpoint with PKCE and client authentication).
 * `authorize` plays the person signing in at the provider and returns the callback URL it would send
 * them to. Tamper switches produce the tokens a relying party must refuse.
 */
function identityProvider() {
  let keys = keyPair("key-1");
  const tamper: { nonce?: string; audience?: string; signWith?: HonoJsonWebKey } = {};
  const codes = new Map<
    string,
    { challenge: string; nonce: string; redirectUri: string; claims: Record<string, unknown> }
  >();
  const app = new Hono()
    .get("/.well-known/openid-configuration", (c) =>
      c.json({
        issuer: ISSUER,
        authorization_endpoint: `${ISSUER}/authorize`,
        token_endpoint: `${ISSUER}/token`,
        jwks_uri: `${ISSUER}/jwks`,
      }),
    )
    .get("/jwks", (c) => c.json({ keys: [keys.public] }))
    .post("/token", async (c) => {
      const form = await c.req.parseBody();
      const basic = Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString("base64");
      if (c.req.header("authorization") !== `Basic ${basic}`) return c.json({ error: "invalid_client" }, 401);
      const grant = codes.get(String(form.code));
      const challenge = createHash("sha256").update(String(form.code_verifier)).digest("base64url");
      if (!grant || grant.challenge !== challenge || grant.redirectUri !== form.redirect_uri) {
        return c.json({ error: "invalid_grant" }, 400);
      }
      codes.delete(String(form.code));
      const now = Math.floor(Date.now() / 1000);
      const idToken = await sign(
        {
          iss: ISSUER,
          aud: tamper.audience ?? CLIENT.id,
          iat: now,
          exp: now + 300,
          nonce: tamper.nonce ?? grant.nonce,
          ...grant.claims,
        },
        tamper.signWith ?? keys.private,
      );
      return c.json({ id_token: idToken, access_token: "opaque", token_type: "Bearer" });
    });

  const authorize = (location: string, claims: Record<string, unknown>) => {
    const url = new URL(location);
    expect(`${url.origin}${url.pathname}`).toBe(`${ISSUER}/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: "code",
      client_id: CLIENT.id,
      redirect_uri: "http://localhost/console/oidc/callback",
      scope: "openid email profile",
      code_challenge_method: "S256",
    });
    const code = `code-${codes.size + 1}`;
    codes.set(code, {
      challenge: url.searchParams.get("code_challenge") ?? "",
      nonce: url.searchParams.get("nonce") ?? "",
      redirectUri: url.searchParams.get("redirect_uri") ?? "",
      claims,
    });
    return `/console/oidc/callback?code=${code}&state=${url.searchParams.get("state")}`;
  };
  const fetcher: typeof fetch = async (input, init) =>
    app.request(input instanceof Request ? input : String(input), init);
  /** The provider rotates its signing key: new tokens name a key id the relying party has not seen. */
  const rotate = () => {
    keys = keyPair("key-2");
  };
  return { fetch: fetcher, authorize, tamper, rotate };
}

const SETTINGS = OidcSettings.parse({
  issuer: ISSUER,
  clientId: CLIENT.id,
  clientSecret: CLIENT.secret,
  groupsClaim: "cognito:groups",
  roles: [
    { role: "admin", emails: ["ada@example.com"] },
    { role: "approver", groups: ["oncall"], scopes: [{ environments: ["Production"] }] },
  ],
});

async function setUp() {
  const idp = identityProvider();
  const h = await consoleHarness({ oidc: SETTINGS, fetch: idp.fetch });
  const b = h.browser();
  const start = async (next = "/console/trust") => {
    const response = await b.get(`/console/oidc/sign-in?next=${encodeURIComponent(next)}`);
    expect(response.status).toBe(302);
    return response.headers.get("location") as string;
  };
  return { idp, h, b, start };
}

describe("single sign-on (OIDC, authorization code with PKCE)", () => {
  it("signs in a mapped person and names them in the console", async () => {
    const { idp, b, start } = await setUp();
    expect(await (await b.get("/console/sign-in")).text()).toContain("Sign in with single sign-on");

    const callback = idp.authorize(await start(), { sub: "u-1", email: "ada@example.com" });
    const response = await b.get(callback);

    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/console/trust");
    const page = await (await b.get("/console/trust")).text();
    expect(page).toContain(
      'Signed in as <strong data-testid="signed-in-as">ada@example.com</strong> (admin)',
    );
  });

  it("follows a key rotation: a token naming a new key id makes it fetch the keys again", async () => {
    const { idp, h, b: first, start } = await setUp();
    expect((await first.get(idp.authorize(await start(), { email: "ada@example.com" }))).status).toBe(303);
    idp.rotate();
    const b = h.browser();
    const trip = await b.get("/console/oidc/sign-in?next=%2Fconsole%2Fapprovals");
    const response = await b.get(
      idp.authorize(trip.headers.get("location") as string, { email: "ada@example.com" }),
    );
    expect(response.status).toBe(303);
    expect(b.cookies.has("kubernaut_console")).toBe(true);
  });

  it("maps by group claim, with the group's approver scopes", async () => {
    const { idp, b, start } = await setUp();
    await b.get(
      idp.authorize(await start(), { sub: "u-2", email: "bo@example.com", "cognito:groups": ["oncall"] }),
    );
    expect(await (await b.get("/console/approvals")).text()).toContain("bo@example.com</strong> (approver)");
  });

  it.each([
    [
      "a person no mapping names",
      {},
      { email: "eve@example.com" },
      403,
      "eve@example.com has no console role",
    ],
    [
      "a replayed token (another nonce)",
      { nonce: "stolen" },
      { email: "ada@example.com" },
      403,
      "could not be verified",
    ],
    [
      "a token for another client",
      { audience: "someone-else" },
      { email: "ada@example.com" },
      403,
      "could not be verified",
    ],
    [
      "a token signed by another key",
      { signWith: keyPair("key-1").private },
      { email: "ada@example.com" },
      403,
      "could not be verified",
    ],
  ])("refuses %s", async (_what, tamper, claims, status, message) => {
    const { idp, b, start } = await setUp();
    Object.assign(idp.tamper, tamper);
    const response = await b.get(idp.authorize(await start(), { sub: "u-3", ...claims }));
    expect(response.status).toBe(status);
    expect(await response.text()).toContain(message);
    expect(b.cookies.has("kubernaut_console")).toBe(false);
  });

  it("refuses a callback that this browser did not start (state mismatch), before asking the provider", async () => {
    const { idp, b, start } = await setUp();
    const callback = idp.authorize(await start(), { email: "ada@example.com" });
    const forged = callback.replace(/state=[^&]+/, "state=somebody-elses");
    const response = await b.get(forged);
    expect(response.status).toBe(400);
    expect(b.cookies.has("kubernaut_console")).toBe(false);
    // The round trip is single-use: the genuine callback after that is refused too.
    expect((await b.get(callback)).status).toBe(400);
  });
});
