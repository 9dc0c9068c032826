import { ApproverScope } from "@kubernaut/config";
import { z } from "zod";

/**
 * Who may use the console when signing in through an identity provider: by e-mail or group claim, with
 * the same roles and approver scopes API tokens carry. Nobody gets a role by default.
 */
export const OidcRoleMapping = z
  .object({
    role: z.enum(["approver", "admin"]),
    emails: z.array(z.string().min(3)).default([]),
    groups: z.array(z.string().min(1)).default([]),
    scopes: z.array(ApproverScope).default([]),
  })
  .strict()
  .refine((m) => m.emails.length > 0 || m.groups.length > 0, "name at least one e-mail or group");
export type OidcRoleMapping = z.infer<typeof OidcRoleMapping>;

/**
 * Optional single sign-on (authorization code flow with PKCE): on AWS typically Cognito or the
 * company's identity provider.
 */
export const OidcSettings = z
  .object({
    issuer: z.url(),
    clientId: z.string().min(1),
    /** Confidential clients send it to the token endpoint; public clients rely on PKCE alone. */
    clientSecret: z.string().min(1).optional(),
    /** Defaults to `<console origin>/console/oidc/callback`; set it when a proxy rewrites the host. */
    redirectUrl: z.url().optional(),
    scopes: z.array(z.string().min(1)).default(["openid", "email", "profile"]),
    /** The claim naming the person in the audit trail. */
    nameClaim: z.string().min(1).default("email"),
    groupsClaim: z.string().min(1).default("groups"),
    roles: z.array(OidcRoleMapping).min(1, "map at least one e-mail or group to a role"),
  })
  .strict();
export type OidcSettings = z.infer<typeof OidcSettings>;

export const ConsoleSettings = z
  .object({
    /** Signs session cookies (HMAC-SHA256). Rotating it signs everybody out, which is the point. */
    sessionSecret: z.string().min(32, "must be at least 32 characters"),
    /** How long a sign-in lasts; re-checked on every request against the current token list. */
    sessionMaxAgeSeconds: z
      .number()
      .int()
      .min(300)
      .max(7 * 24 * 3600)
      .default(8 * 3600),
    oidc: OidcSettings.optional(),
  })
  .strict();
export type ConsoleSettings = z.infer<typeof ConsoleSettings>;
export type ConsoleSettingsInput = z.input<typeof ConsoleSettings>;

export class ConsoleSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConsoleSettingsError";
  }
}

/**
 * Reads the console's settings from the environment the composition root hands in (on AWS the SSM
 * SecureStrings `KUBERNAUT_CONSOLE_SECRET_PARAM` and `KUBERNAUT_CONSOLE_OIDC_PARAM` are resolved into
 * these names first). A missing or short secret stops the console at start-up rather than signing
 * cookies with something guessable.
 */
export function consoleSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): ConsoleSettings {
  let oidc: unknown;
  if (env.KUBERNAUT_CONSOLE_OIDC) {
    try {
      oidc = JSON.parse(env.KUBERNAUT_CONSOLE_OIDC);
    } catch {
      throw new ConsoleSettingsError("KUBERNAUT_CONSOLE_OIDC: not JSON");
    }
  }
  const result = ConsoleSettings.safeParse({
    sessionSecret: env.KUBERNAUT_CONSOLE_SECRET,
    ...(env.KUBERNAUT_CONSOLE_SESSION_MAX_AGE
      ? { sessionMaxAgeSeconds: Number(env.KUBERNAUT_CONSOLE_SESSION_MAX_AGE) }
      : {}),
    ...(oidc === undefined ? {} : { oidc }),
  });
  if (!result.success) {
    const names: Record<string, string> = {
      sessionSecret: "KUBERNAUT_CONSOLE_SECRET",
      sessionMaxAgeSeconds: "KUBERNAUT_CONSOLE_SESSION_MAX_AGE",
      oidc: "KUBERNAUT_CONSOLE_OIDC",
    };
    const problems = result.error.issues.map((issue) => {
      const [head, ...rest] = issue.path.map(String);
      const name = head ? (names[head] ?? head) : "console settings";
      return `${[name, ...rest].join(".")}: ${issue.message}`;
    });
    throw new ConsoleSettingsError(`invalid console settings: ${problems.join("; ")}`);
  }
  return result.data;
}
