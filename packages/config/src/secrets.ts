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
      let value: string | undefined;
      try {
        value = await getParameter(env[key] as string, { decrypt: true, maxAge: maxAgeSeconds });
      } catch (error) {
        // An optional secret nobody created (no Slack, say) is simply absent; the feature that needs it
        // reports that it is not configured. Anything else (no permission, throttling) is a real failure.
        if (
          (error as Error).name === "ParameterNotFound" ||
          (error as { cause?: Error }).cause?.name === "ParameterNotFound"
        )
          return;
        throw error;
      }
      if (value !== undefined && value !== "") resolved[key.slice(0, -"_PARAM".length)] = value;
    }),
  );
  return resolved;
}
