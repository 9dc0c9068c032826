import type { Enrichment, Environment, Priority, ResourceRef, Severity, Signal } from "@kubernaut/core";

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
 * The environment (DESIGN §3.2): the namespace's `kubernaut.ai/environment` label, then the alert's
 * `env`/`environment` labels, then the namespace's name (`payments-prod`, `qa`, …), else Unknown —
 * which the starter policy treats like production.
 */
export function detectEnvironment(
  signal: Pick<Signal, "labels">,
  target: ResourceRef,
  namespaceLabels: Readonly<Record<string, string>> = {},
): { environment: Environment; source: string } {
  const fromNamespaceLabel = environmentFromWord(namespaceLabels["kubernaut.ai/environment"]);
  if (fromNamespaceLabel)
    return { environment: fromNamespaceLabel, source: "namespace label kubernaut.ai/environment" };
  for (const label of ["env", "environment"]) {
    const fromLabel = environmentFromWord(signal.labels[label]);
    if (fromLabel) return { environment: fromLabel, source: `alert label ${label}` };
  }
  const namespace = target.namespace ?? (target.kind === "Namespace" ? target.name : undefined);
  for (const part of namespace?.split(/[-_.]/) ?? []) {
    const fromName = environmentFromWord(part);
    if (fromName) return { environment: fromName, source: `namespace name ${namespace}` };
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

/** Signal processing from the signal alone; the Rego classification and namespace labels come later. */
export function enrichSignal(signal: Signal, target: ResourceRef): Enrichment {
  const { environment, source } = detectEnvironment(signal, target);
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
