import { getParameter } from "@aws-lambda-powertools/parameters/ssm";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * On AWS, secrets live in SSM Parameter Store SecureStrings (no per-secret monthly fee, so an idle
 * install costs nearly nothing). A function is told the parameter *names* (`<VAR>_PARAM`) and this turns
 * them into the same variables the local loop sets directly, so config parsing has one code path.
 * Powertools caches each value for `maxAgeSeconds`, so a rotated secret is picked up without a deploy.
 */
export async function resolveSecretParameters(
  env: Env,
  maxAgeSeconds = 300,
): Promise<Record<string, string | undefined>> {
  const resolved: Record<string, string | undefined> = { ...env };
  const names = Object.keys(env).filter((key) => key.endsWith("_PARAM") && env[key]);
  await Promise.all(
    names.map(async (key) => {
      const value = await getParameter(env[key] as string, { decrypt: true, maxAge: maxAgeSeconds });
      if (value === undefined) throw new Error(`SSM parameter ${env[key]} (from ${key}) is empty or missing`);
      resolved[key.slice(0, -"_PARAM".length)] = value;
    }),
  );
  return resolved;
}
