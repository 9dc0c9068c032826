import { HTTP_ROUTES, SECRETS } from "@kubernaut/runtime/functions";
import { type FunctionContext, lambdaFunction } from "./functions";

/**
 * The console (DESIGN §2): its own function, so its pages and opa-wasm stay out of the API's and the
 * webhook's cold starts. It decides approvals like the approvals function and changes trust levels like
 * the API function, and nothing more (its entry in packages/runtime/src/functions.ts). The
 * session-signing secret is generated here and kept as an SSM SecureString, so a deploy needs no manual
 * step; single sign-on is optional (put its JSON settings at `<prefix>/console-oidc`).
 */
export async function createConsole(
  context: FunctionContext & {
    /** Mount on an existing HTTP API (e.g. the API's); without one the console gets its own. */
    http?: sst.aws.ApiGatewayV2;
  },
) {
  const aws = await import("@pulumi/aws");
  const random = await import("@pulumi/random");
  // Rotating it (taint and redeploy) signs everybody out, which is what a rotation should do.
  const sessionSecret = new random.RandomPassword("ConsoleSessionSecret", { length: 64, special: false });
  new aws.ssm.Parameter("ConsoleSessionSecretParameter", {
    name: `${context.secrets.prefix}/${SECRETS.consoleSecret.parameter}`,
    type: "SecureString",
    value: sessionSecret.result,
  });
  const fn = await lambdaFunction("console", context);
  const gateway = context.http ?? new sst.aws.ApiGatewayV2("ConsoleHttp");
  for (const [route, served] of HTTP_ROUTES) if (served === "console") gateway.route(route, fn.arn);
  return { url: gateway.url, fn };
}
