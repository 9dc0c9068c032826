import type { Enrichment, Environment, Priority, Severity, Signal } from "@kubernaut/core";

const ENVIRONMENT_WORDS: ReadonlyArray<[RegExp, Environment]> = [
  [/^(prod|production|prd|live)$/i, "Production"],
  [/^(staging|stage|stg|preprod|pre-prod)$/i, "Staging"],
  [/^(dev|development|develop)$/i, "Development"],
  [/^(test|testing|qa|uat)$/i, "Test"],
];

/** Maps a word like "prod", "qa" or "Staging" to an environment. */
export function environmentFromWord(word: string | undefined): Environment | undefined {
  if (!word) return undefined;
  return ENVIRONMENT_WORDS.find(([pattern]) => pattern.test(word.trim()))?.[1];
}

/**
 * The environment (DESIGN §3.2), as the shipped classification policy decides it: the namespace's
 * `kubernaut.ai/environment`, `env` or `environment` label, then the alert's `env`/`environment`
 * labels, else Unknown — which the starter policy treats like production. Namespace names are guessed
 * from only when the operator turns it on (`payments-prod` may be a test of the payments product).
 */
export function detectEnvironment(
  signal: Pick<Signal, "labels">,
  namespace: { name: string; labels?: Readonly<Record<string, string>> } | undefined,
  fromNamespaceName = false,
): { environment: Environment; source: string } {
  for (const label of ["kubernaut.ai/environment", "env", "environment"]) {
    const fromNamespace = environmentFromWord(namespace?.labels?.[label]);
    if (fromNamespace) return { environment: fromNamespace, source: `namespace label ${label}` };
  }
  for (const label of ["env", "environment"]) {
    const fromLabel = environmentFromWord(signal.labels[label]);
    if (fromLabel) return { environment: fromLabel, source: `alert label ${label}` };
  }
  // Only when the operator turned it on (signalProcessing.environmentFromNamespaceName).
  for (const part of fromNamespaceName ? (namespace?.name.split(/[-_.]/) ?? []) : []) {
    const fromName = environmentFromWord(part);
    if (fromName) return { environment: fromName, source: `namespace name ${namespace?.name}` };
  }
  return { environment: "Unknown", source: "no environment marker" };
}

const SEVERITY_WORDS: ReadonlyArray<[RegExp, Severity]> = [
  [/^(critical|crit|sev1|sev-1|p0|emergency|disaster|fatal)$/i, "critical"],
  [/^(high|error|major|sev2|sev-2|p1)$/i, "high"],
  [/^(warning|warn|medium|minor|sev3|sev-3|p2)$/i, "warning"],
  [/^(info|informational|low|notice|sev4|sev-4|p3|none)$/i, "info"],
];

/** Normalises the severity schemes in the wild (sev1–4, p0–p3, critical/high/warning/info). */
export function normalizeSeverity(raw: string | undefined): Severity {
  if (!raw) return "unknown";
  return SEVERITY_WORDS.find(([pattern]) => pattern.test(raw.trim()))?.[1] ?? "unknown";
}

/** P0 production+critical; P1 production+high or staging+critical; P2 staging otherwise; P3 the rest. */
export function priorityOf(environment: Environment, severity: Severity): Priority {
  if (environment === "Production" && severity === "critical") return "P0";
  if (
    (environment === "Production" && severity === "high") ||
    (environment === "Staging" && severity === "critical")
  ) {
    return "P1";
  }
  if (environment === "Staging") return "P2";
  return "P3";
}

/**
 * The built-in rules, which name the environment, severity and priority when the operator's Rego
 * cannot (the result is then degraded, and the target is not managed).
 */
export function enrichSignal(
  signal: Signal,
  namespace?: { name: string; labels?: Readonly<Record<string, string>> },
  fromNamespaceName = false,
): Enrichment {
  const { environment, source } = detectEnvironment(signal, namespace, fromNamespaceName);
  const severity = normalizeSeverity(signal.severity);
  const customLabels = Object.fromEntries(
    Object.entries(signal.labels).filter(
      ([key]) => key === "team" || key === "tier" || key.startsWith("kubernaut_"),
    ),
  );
  return {
    environment,
    environmentSource: source,
    severity,
    priority: priorityOf(environment, severity),
    customLabels,
  };
}
