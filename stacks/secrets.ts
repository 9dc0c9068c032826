/**
 * Secrets live in SSM Parameter Store SecureStrings, read at run time through Powertools Parameters
 * (DESIGN §2). The stack only knows their names; operators put the values:
 *
 *   aws ssm put-parameter --type SecureString --name /kubernaut/<stage>/webhook-token --value …
 *   aws ssm put-parameter --type SecureString --name /kubernaut/<stage>/api-tokens \
 *     --value '[{"name":"oncall","role":"approver","sha256":"…","scopes":[{"environments":["staging"]}]}]'
 */
export function createSecrets() {
  const prefix = `/kubernaut/${$app.stage}`;
  return {
    webhookToken: `${prefix}/webhook-token`,
    apiTokens: `${prefix}/api-tokens`,
    prefix,
  };
}

export type Secrets = ReturnType<typeof createSecrets>;
