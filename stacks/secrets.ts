import { SECRETS } from "@kubernaut/runtime/functions";

/**
 * Secrets live in SSM Parameter Store SecureStrings, read at run time (DESIGN §2). The stack only knows
 * their names (`<prefix>/<parameter>` of SECRETS in packages/runtime/src/functions.ts); operators put
 * the values:
 *
 *   aws ssm put-parameter --type SecureString --name /kubernaut/<stage>/webhook-token --value …
 *   aws ssm put-parameter --type SecureString --name /kubernaut/<stage>/api-tokens \
 *     --value '[{"name":"oncall","role":"approver","sha256":"…","scopes":[{"environments":["staging"]}]}]'
 *   aws ssm put-parameter --type SecureString --name /kubernaut/<stage>/llm-api-key --value …   # with aianalysis.llm
 */
export function createSecrets() {
  const prefix = `/kubernaut/${$app.stage}`;
  return {
    webhookToken: `${prefix}/${SECRETS.webhookToken.parameter}`,
    apiTokens: `${prefix}/${SECRETS.apiTokens.parameter}`,
    prefix,
  };
}

export type Secrets = ReturnType<typeof createSecrets>;
