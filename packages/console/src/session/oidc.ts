import { createHash, randomBytes } from "node:crypto";
import { ApiError } from "@kubernaut/http";
import { logger } from "@kubernaut/telemetry";
import { type Context, Hono } from "hono";
import { verifyWithJwks } from "hono/jwt";
import type { HonoJsonWebKey } from "hono/utils/jwt/jws";
import { z } from "zod";
import { BASE, type ConsoleDeps, type ConsoleEnv } from "../deps";
import { html } from "../html";
import { page } from "../layout";
import type { OidcSettings } from "../settings";
import { oidcCaller } from "./caller";
import { clearValue, readSignedValue, setSignedValue, startSession } from "./cookie";
import { csrfMatches, safeNext } from "./middleware";

const Discovery = z.object({
  issuer: z.string(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
});
type Discovery = z.infer<typeof Discovery>;

const Jwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });

/** The browser's round trip to the identity provider: state, nonce and PKCE verifier, signed, 10 minutes. */
const ROUND_TRIP_COOKIE = "kubernaut_console_oidc";
const ROUND_TRIP_PATH = `${BASE}/oidc`;
const RoundTrip = z.object({ state: z.string(), nonce: z.string(), verifier: z.string(), next: z.string() });

const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"] as const;

export class OidcError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OidcError";
  }
}

const base64url = (bytes: Buffer) => bytes.toString("base64url");

/**
 * An OpenID Connect relying party for the authorization code flow with PKCE: discovery and keys are
 * fetched once and kept (keys again when a token names one we have not seen, which is how providers
 * rotate), the ID token's signature, issuer, audience, expiry and nonce are all checked before anyone
 * is signed in.
 */
export class OidcClient {
  private discovery: Promise<Discovery> | undefined;
  private keys: HonoJsonWebKey[] = [];

  constructor(
    private readonly settings: OidcSettings,
    private readonly http: typeof fetch = fetch,
  ) {}

  private async getJson(url: string, init?: RequestInit): Promise<unknown> {
    const response = await this.http(url, init);
    if (!response.ok) throw new OidcError(`${url} answered ${response.status}`);
    return response.json();
  }

  private async meta(): Promise<Discovery> {
    this.discovery ??= (async () => {
      const url = `${this.settings.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
      const parsed = Discovery.safeParse(await this.getJson(url));
      if (!parsed.success) throw new OidcError(`${url} is not an OpenID provider configuration`);
      return parsed.data;
    })().catch((error: unknown) => {
      this.discovery = undefined; // try again on the next sign-in
      throw error;
    });
    return this.discovery;
  }

  async authorizationUrl(request: { redirectUri: string; state: string; nonce: string; verifier: string }) {
    const meta = await this.meta();
    const url = new URL(meta.authorization_endpoint);
    url.searchParams.set("response_type", "code");
    url.searchParams.set("client_id", this.settings.clientId);
    url.searchParams.set("redirect_uri", request.redirectUri);
    url.searchParams.set("scope", this.settings.scopes.join(" "));
    url.searchParams.set("state", request.state);
    url.searchParams.set("nonce", request.nonce);
    url.searchParams.set("code_challenge", base64url(createHash("sha256").update(request.verifier).digest()));
    url.searchParams.set("code_challenge_method", "S256");
    return url.toString();
  }

  /** Exchanges the code for tokens and returns the verified ID token's claims. */
  async complete(request: { code: string; redirectUri: string; verifier: string; nonce: string }) {
    const meta = await this.meta();
    const body = new URLSearchParams({
      grant_type: "authorization_code",
      code: request.code,
      redirect_uri: request.redirectUri,
      client_id: this.settings.clientId,
      code_verifier: request.verifier,
    });
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
    if (this.settings.clientSecret) {
      const credentials = `${encodeURIComponent(this.settings.clientId)}:${encodeURIComponent(this.settings.clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(credentials).toString("base64")}`;
    }
    const tokens = z
      .object({ id_token: z.string().min(1) })
      .safeParse(await this.getJson(meta.token_endpoint, { method: "POST", headers, body }));
    if (!tokens.success) throw new OidcError("the token endpoint returned no id_token");
    const claims = await this.verify(tokens.data.id_token, meta);
    if (claims.nonce !== request.nonce)
      throw new OidcError("the ID token's nonce does not match this sign-in");
    return claims;
  }

  private async verify(idToken: string, meta: Discovery): Promise<Record<string, unknown>> {
    const attempt = () =>
      verifyWithJwks(idToken, {
        keys: this.keys,
        allowedAlgorithms: ALGORITHMS,
        verification: { iss: meta.issuer, aud: this.settings.clientId },
      });
    try {
      if (this.keys.length > 0) return await attempt();
    } catch (error) {
      // Only an unknown key is worth a refetch; a bad signature or a wrong audience stays refused.
      if (!(error instanceof Error && error.name === "JwtTokenInvalid")) throw error;
    }
    const jwks = Jwks.safeParse(await this.getJson(meta.jwks_uri));
    if (!jwks.success) throw new OidcError(`${meta.jwks_uri} is not a JSON Web Key Set`);
    this.keys = jwks.data.keys as HonoJsonWebKey[];
    return attempt();
  }
}

function claimString(claims: Record<string, unknown>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === "string" && value ? value : undefined;
}

/** Who the ID token says signed in: the configured name claim (e-mail by default), and their groups. */
export function identityFromClaims(claims: Record<string, unknown>, settings: OidcSettings) {
  const groups = claims[settings.groupsClaim];
  const email = claimString(claims, "email");
  return {
    name: claimString(claims, settings.nameClaim) ?? email ?? claimString(claims, "sub") ?? "unknown",
    ...(email ? { email } : {}),
    groups: Array.isArray(groups)
      ? groups.filter((g): g is string => typeof g === "string").slice(0, 200)
      : [],
  };
}

function redirectUri(c: Context, settings: OidcSettings): string {
  return settings.redirectUrl ?? `${new URL(c.req.url).origin}${BASE}/oidc/callback`;
}

/** `/console/oidc/sign-in` and `/console/oidc/callback`: mounted only when OIDC is configured. */
export function oidcPages(deps: ConsoleDeps, settings: OidcSettings) {
  const client = new OidcClient(settings, deps.fetch);
  const secret = deps.settings.sessionSecret;
  const refuse = (c: Context<ConsoleEnv>, message: string, status: 400 | 403) =>
    c.html(
      page({
        title: "Sign-in refused",
        section: "none",
        body: html`<p role="alert" data-testid="sign-in-error">${message}</p><p><a href="${BASE}/sign-in">Back to sign-in</a></p>`,
      }).value,
      status,
    );

  return new Hono<ConsoleEnv>()
    .get("/oidc/sign-in", async (c) => {
      const trip = {
        state: base64url(randomBytes(24)),
        nonce: base64url(randomBytes(24)),
        verifier: base64url(randomBytes(48)),
        next: safeNext(c.req.query("next")),
      };
      let url: string;
      try {
        url = await client.authorizationUrl({ ...trip, redirectUri: redirectUri(c, settings) });
      } catch (error) {
        logger.error("identity provider unavailable", { error });
        throw new ApiError(
          503,
          "unavailable",
          "The identity provider cannot be reached; try again or use a token.",
        );
      }
      await setSignedValue(c, ROUND_TRIP_COOKIE, trip, secret, 600, ROUND_TRIP_PATH);
      return c.redirect(url, 302);
    })
    .get("/oidc/callback", async (c) => {
      const trip = RoundTrip.safeParse(await readSignedValue(c, ROUND_TRIP_COOKIE, secret));
      clearValue(c, ROUND_TRIP_COOKIE, ROUND_TRIP_PATH);
      const code = c.req.query("code");
      if (!trip.success || !csrfMatches(trip.data.state, c.req.query("state")) || !code) {
        return refuse(c, "This sign-in did not start here or took too long; start again.", 400);
      }
      let claims: Record<string, unknown>;
      try {
        claims = await client.complete({
          code,
          redirectUri: redirectUri(c, settings),
          verifier: trip.data.verifier,
          nonce: trip.data.nonce,
        });
      } catch (error) {
        logger.warn("OIDC sign-in refused", { error });
        return refuse(c, "The identity provider's answer could not be verified; nothing was signed in.", 403);
      }
      const who = identityFromClaims(claims, settings);
      const caller = oidcCaller(who, settings);
      if (!caller) {
        logger.warn("OIDC sign-in without a console role", { name: who.name });
        return refuse(c, `${who.name} has no console role; ask an admin to map your e-mail or group.`, 403);
      }
      await startSession(c, deps.settings, { kind: "oidc", ...who }, deps.now?.() ?? new Date());
      return c.redirect(trip.data.next, 303);
    });
}
