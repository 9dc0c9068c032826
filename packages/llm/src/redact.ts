/**
 * Secrets that must never reach a model (DESIGN §3.3): tool output — logs, events, object specs — is
 * scrubbed before it is sent. Each pattern names what it removed, so an investigation can still say
 * "the log contained a credential" without repeating it.
 */
/** `keep`: the first group (a key name, a scheme, "Bearer ") stays, so the reader knows what was there. */
const PATTERNS: Array<{ kind: string; pattern: RegExp; keep?: true }> = [
  {
    kind: "private-key",
    pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  },
  { kind: "jwt", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { kind: "aws-access-key", pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { kind: "slack-token", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { kind: "github-token", pattern: /\bgh[pousr]_[A-Za-z0-9]{30,}/g },
  { kind: "bearer", pattern: /\b(Bearer\s+)[A-Za-z0-9._~+/-]{8,}=*/gi, keep: true },
  { kind: "url-credentials", pattern: /\b([a-z][a-z0-9+.-]*:\/\/)[^\s:/@]+:[^\s@/]+(?=@)/gi, keep: true },
  {
    kind: "secret",
    pattern:
      /((?:aws_secret_access_key|secret(?:_key)?|password|passwd|pwd|api[_-]?key|access[_-]?token|token|client[_-]?secret)\s*["']?\s*[:=]\s*["']?)[^\s"',;}]{4,}/gi,
    keep: true,
  },
];

export function redact(text: string): string {
  let result = text;
  for (const { kind, pattern, keep } of PATTERNS) {
    result = result.replace(pattern, keep ? `$1[REDACTED:${kind}]` : `[REDACTED:${kind}]`);
  }
  return result;
}

/**
 * Tool output as data, never as instructions (DESIGN §3.3): redacted, cut to a size limit (saying so),
 * and wrapped in a fence the model is told to treat as untrusted. A fence-closing marker inside the
 * output is neutralised, so a planted log line cannot end the fence and speak as the system.
 */
export function fence(name: string, text: string, limit = 8_000): string {
  const clean = redact(text).replaceAll("</tool-output", "<\\/tool-output");
  const cut =
    clean.length > limit
      ? `${clean.slice(0, limit)}\n[… ${clean.length - limit} more characters cut; ask for less (grep, tail)]`
      : clean;
  return `<tool-output name="${name.replace(/[^A-Za-z0-9_.-]/g, "_")}" trust="untrusted-data">\n${cut}\n</tool-output>`;
}
