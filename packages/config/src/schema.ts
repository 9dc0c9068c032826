import { formatDuration, parseDuration } from "@kubernaut/core";
import { z } from "zod";

/**
 * A Go-style duration ("5m", "1h") bounded by [min, max], parsed to milliseconds. The message names the
 * allowed range so an operator can fix the value without reading the code.
 */
function duration(fallback: string, bounds: { min?: string; max?: string } = {}) {
  const min = bounds.min ? parseDuration(bounds.min) : 0;
  const max = bounds.max ? parseDuration(bounds.max) : Number.POSITIVE_INFINITY;
  const range = `allowed ${bounds.min ?? "0s"}–${bounds.max ?? "unbounded"}`;
  return z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      let ms: number;
      try {
        ms = parseDuration(text);
      } catch {
        ctx.addIssue({ code: "custom", message: `"${text}" is not a duration (e.g. 30s, 5m, 1h)` });
        return z.NEVER;
      }
      if (ms < min) {
        ctx.addIssue({
          code: "custom",
          message: `${text} is below the ${formatDuration(min)} minimum (${range})`,
        });
        return z.NEVER;
      }
      if (ms > max) {
        ctx.addIssue({
          code: "custom",
          message: `${text} is above the ${formatDuration(max)} maximum (${range})`,
        });
        return z.NEVER;
      }
      return ms;
    });
}

const fraction = (fallback: number) =>
  z.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1").default(fallback);
const count = (fallback: number) => z.number().int().min(1, "must be a whole number ≥ 1").default(fallback);

export const Role = z.enum(["viewer", "approver", "admin"]);
export type Role = z.infer<typeof Role>;

/** Where an approver may decide; an empty list on a dimension means "any". */
export const ApproverScope = z
  .object({
    environments: z.array(z.string()).default([]),
    namespaces: z.array(z.string()).default([]),
  })
  .strict();
export type ApproverScope = z.infer<typeof ApproverScope>;

export const ApiTokenConfig = z
  .object({
    name: z.string().min(1),
    role: Role,
    /** Tokens are stored hashed (hex sha256) so a leaked config does not leak credentials. */
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "must be the hex SHA-256 of the token (64 lowercase hex chars)"),
    scopes: z.array(ApproverScope).default([]),
  })
  .strict();
export type ApiTokenConfig = z.infer<typeof ApiTokenConfig>;

const Routing = z
  .object({
    consecutiveFailureThreshold: count(3),
    consecutiveFailureCooldown: duration("1h", { min: "1m", max: "168h" }),
    recentlyRemediatedCooldown: duration("5m", { max: "24h" }),
    exponentialBackoffBase: duration("1m", { min: "1s", max: "1h" }),
    exponentialBackoffMax: duration("10m", { min: "1s", max: "24h" }),
    manualReviewHold: duration("24h", { min: "1m", max: "720h" }),
    ineffectiveChain: z
      .object({
        consecutive: count(3),
        withinWindow: count(5),
        window: duration("4h", { min: "10m", max: "168h" }),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

const MatchValues = z.array(z.string().min(1)).min(1);

/** A node of the notification routing tree, matched like Alertmanager's: first match wins unless `continue`. */
export interface RouteConfig {
  receiver?: string | undefined;
  channel?: string | undefined;
  match: {
    type?: string[] | undefined;
    priority?: string[] | undefined;
    environment?: string[] | undefined;
    namespace?: string[] | undefined;
    team?: string[] | undefined;
  };
  continue: boolean;
  routes: RouteConfig[];
}

export const Route: z.ZodType<RouteConfig, z.input<z.ZodTypeAny>> = z.lazy(() =>
  z
    .object({
      receiver: z.string().min(1).optional(),
      /** Slack channel for this route, overriding the receiver's. */
      channel: z.string().min(1).optional(),
      match: z
        .object({
          type: z
            .array(z.enum(["Approval", "ManualReview", "DryRun", "Completion", "Escalation", "StatusUpdate"]))
            .min(1)
            .optional(),
          priority: z
            .array(z.enum(["Critical", "High", "Medium", "Low"]))
            .min(1)
            .optional(),
          environment: MatchValues.optional(),
          namespace: MatchValues.optional(),
          team: MatchValues.optional(),
        })
        .strict()
        .default({}),
      continue: z.boolean().default(false),
      routes: z.array(Route).default([]),
    })
    .strict(),
) as z.ZodType<RouteConfig, z.input<z.ZodTypeAny>>;

export const ReceiverConfig = z.discriminatedUnion("type", [
  z.object({ name: z.string().min(1), type: z.literal("log"), fallback: z.string().optional() }).strict(),
  z
    .object({
      name: z.string().min(1),
      type: z.literal("slack"),
      channel: z.string().min(1),
      fallback: z.string().optional(),
    })
    .strict(),
  z
    .object({
      name: z.string().min(1),
      type: z.literal("webhook"),
      url: z.url(),
      /** HMAC-SHA256 key for the signature header; `KUBERNAUT_WEBHOOK_SECRET_<NAME>` in the environment wins. */
      secret: z.string().min(16, "must be at least 16 characters").optional(),
      fallback: z.string().optional(),
    })
    .strict(),
]);
export type ReceiverConfig = z.infer<typeof ReceiverConfig>;

const ClusterConnection = z
  .object({
    kubeconfig: z.string().optional(),
    context: z.string().optional(),
    /** EKS through the functions' IAM role: a short-lived token per request batch, no stored secret. */
    eks: z
      .object({
        name: z.string().min(1),
        region: z.string().min(1),
        endpoint: z.url(),
        certificateAuthorityData: z.string().min(1),
      })
      .strict()
      .optional(),
  })
  .strict();
export type ClusterConnection = z.infer<typeof ClusterConnection>;

export const ConfigSchema = z
  .object({
    remediationOrchestrator: z
      .object({
        /** Level 1 of the trust ladder. Absent means false, as in Kubernaut. */
        dryRun: z.boolean().default(false),
        dryRunHoldPeriod: duration("1h", { min: "5m", max: "168h" }),
        /** Level 2: newly registered workflows start at `observe` until graduated. */
        newWorkflowsDryRun: z.boolean().default(true),
        timeouts: z
          .object({
            global: duration("1h", { min: "1m", max: "24h" }),
            processing: duration("5m", { min: "10s", max: "1h" }),
            analyzing: duration("10m", { min: "10s", max: "1h" }),
            executing: duration("30m", { min: "10s", max: "6h" }),
            verifying: duration("10m", { min: "10s", max: "6h" }),
          })
          .strict()
          .prefault({}),
        routing: Routing,
      })
      .strict()
      .prefault({}),
    aianalysis: z
      .object({
        rego: z
          .object({
            confidenceThreshold: fraction(0.8),
            /** Path of the approval policy; none configured means every remediation requires approval. */
            policy: z.string().optional(),
          })
          .strict()
          .prefault({}),
        /** Below this confidence the selection ends ManualReviewRequired without an approval request. */
        lowConfidenceFloor: fraction(0.7),
        /** The LLM investigator; absent, the rules investigator runs (the embedded default, no network). */
        llm: z
          .object({
            provider: z.enum(["openai-compatible", "bedrock"]),
            /** openai-compatible: e.g. https://api.openai.com/v1, or a local vLLM / Ollama endpoint; bedrock: an endpoint override (a stand-in). */
            baseUrl: z.string().url().optional(),
            /** bedrock: the region (default: AWS_REGION); the function's IAM role signs the calls. */
            region: z.string().min(1).optional(),
            model: z.string().min(1),
            /** The environment variable holding the API key (never the key itself in config). */
            apiKeyEnv: z.string().default("KUBERNAUT_LLM_API_KEY"),
            timeout: duration("30s", { min: "1s", max: "5m" }),
            retries: z.number().int().min(0).max(5).default(2),
            budget: z
              .object({
                maxTurns: count(8),
                maxToolCalls: count(12),
                maxTokens: count(60_000),
                maxDuration: duration("2m", { min: "5s", max: "15m" }),
                outputLimit: count(8_000),
                corrections: count(3),
              })
              .strict()
              .prefault({}),
            /** A different model (same provider and endpoint) for a phase, e.g. a cheaper one for intake. */
            phases: z
              .object({
                investigation: z
                  .object({ model: z.string().min(1) })
                  .strict()
                  .optional(),
                alignment: z
                  .object({ model: z.string().min(1) })
                  .strict()
                  .optional(),
                intake: z
                  .object({ model: z.string().min(1) })
                  .strict()
                  .optional(),
              })
              .strict()
              .prefault({}),
          })
          .strict()
          .refine((llm) => llm.provider !== "openai-compatible" || llm.baseUrl !== undefined, {
            message: "openai-compatible needs baseUrl",
            path: ["baseUrl"],
          })
          .optional(),
      })
      .strict()
      .prefault({}),
    approval: z
      .object({
        requiredBy: duration("15m", { min: "1m", max: "168h" }),
        /** Added to requiredBy for the state machine's wait, so the server-side expiry decides first. */
        timeoutGrace: duration("30s", { min: "1s", max: "10m" }),
      })
      .strict()
      .prefault({}),
    effectivenessMonitor: z
      .object({
        stabilizationWindow: duration("5m", { min: "30s", max: "24h" }),
        /** How often the monitor looks for due assessments (EventBridge on AWS, a timer locally). */
        interval: duration("1m", { min: "5s", max: "1h" }),
        /** Alertmanager API v2 for alert resolution; absent, only the resolved webhook counts. */
        alertmanagerUrl: z.url().optional(),
        /** Prometheus HTTP API for the metrics component; absent, metrics are not assessed (not zero). */
        prometheusUrl: z.url().optional(),
        /** How many times a still-firing alert is re-checked before AlertDecayTimeout. */
        alertDecayChecks: count(3),
        /** Assessments processed at once by one run. */
        concurrency: count(16),
      })
      .strict()
      .prefault({}),
    notification: z
      .object({
        retry: z
          .object({
            maxAttempts: count(5),
            initialBackoff: duration("30s", { min: "1s", max: "1h" }),
            maxBackoff: duration("480s", { min: "1s", max: "6h" }),
          })
          .strict()
          .prefault({}),
        circuitBreaker: z
          .object({ failureThreshold: count(3), openFor: duration("30s", { min: "1s", max: "1h" }) })
          .strict()
          .prefault({}),
        /**
         * The notifying task delivers each notification itself first; the notify machine is started only
         * to retry what that attempt did not deliver. The timeout bounds how long a slow channel may hold
         * the task (and an HTTP answer, such as Slack's 3-second interaction deadline) before handing over.
         */
        inlineDelivery: z
          .object({
            enabled: z.boolean().default(true),
            timeout: duration("2s", { min: "100ms", max: "10s" }),
          })
          .strict()
          .prefault({}),
        receivers: z.array(ReceiverConfig).default([{ name: "log", type: "log" }]),
        route: Route.default({ receiver: "log", match: {}, continue: false, routes: [] }),
        /** The same target remediated more than `maxRemediations` times within `window` raises an Escalation. */
        oscillation: z
          .object({ maxRemediations: count(3), window: duration("1h", { min: "5m", max: "168h" }) })
          .strict()
          .prefault({}),
        /** Where links in notifications point (the console and API of this installation); default http://127.0.0.1:<server.port>. */
        baseUrl: z.url().default("http://127.0.0.1:8787"),
      })
      .strict()
      .superRefine((notification, ctx) => {
        const names = new Set(notification.receivers.map((r) => r.name));
        if (names.size !== notification.receivers.length) {
          ctx.addIssue({ code: "custom", path: ["receivers"], message: "receiver names must be unique" });
        }
        for (const [i, receiver] of notification.receivers.entries()) {
          if (receiver.fallback && !names.has(receiver.fallback)) {
            ctx.addIssue({
              code: "custom",
              path: ["receivers", i, "fallback"],
              message: `no receiver named "${receiver.fallback}"`,
            });
          }
        }
        const visit = (route: RouteConfig, path: PropertyKey[]) => {
          if (route.receiver && !names.has(route.receiver)) {
            ctx.addIssue({
              code: "custom",
              path: [...path, "receiver"],
              message: `no receiver named "${route.receiver}"`,
            });
          }
          for (const [i, child] of route.routes.entries()) visit(child, [...path, "routes", i]);
        };
        if (!notification.route.receiver) {
          ctx.addIssue({
            code: "custom",
            path: ["route", "receiver"],
            message: "the root route needs a default receiver",
          });
        }
        visit(notification.route, ["route"]);
      })
      .prefault({}),
    gateway: z
      .object({
        /** Alertmanager does not retry a 413, so the README tells operators to set `max_alerts`. */
        maxBodyBytes: z.number().int().min(1024).max(6_291_456).default(262_144),
        /** How long a Pending remediation may wait for its execution before ingest starts it again. */
        pendingGrace: duration("30s", { min: "1s", max: "10m" }),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        webhookToken: z.string().min(16, "must be at least 16 characters").optional(),
        apiTokens: z.array(ApiTokenConfig).default([]),
      })
      .strict()
      .prefault({}),
    slack: z
      .object({
        signingSecret: z.string().optional(),
        botToken: z.string().optional(),
        /** The Slack Web API base URL; the local loop points it at its stand-in when no token is set. */
        apiUrl: z.url().default("https://slack.com/api/"),
        /** Interactions from another workspace or app are refused even when signed. */
        teamId: z.string().min(1).optional(),
        appId: z.string().min(1).optional(),
        /**
         * Who may decide from Slack: Slack user ids and/or user-group ids, each with the environments and
         * namespaces they may decide in (empty = any). Nobody is an approver by default.
         */
        approvers: z
          .array(
            z
              .object({
                users: z
                  .array(z.string().regex(/^[UW][A-Z0-9]+$/, "must be a Slack user id (U…)"))
                  .default([]),
                userGroups: z
                  .array(z.string().regex(/^S[A-Z0-9]+$/, "must be a Slack user-group id (S…)"))
                  .default([]),
                environments: z.array(z.string()).default([]),
                namespaces: z.array(z.string()).default([]),
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .prefault({}),
    /**
     * The managed cluster. Locally, `KUBECONFIG` wins; without it the `scenario` (Kubernetes manifests
     * plus a behaviour section) runs in the cluster simulator, or — `local: real`, or `npm start --
     * --cluster real` — in a real control plane built from source (packages/testcluster; needs Go). On
     * AWS, a kubeconfig file shipped with the function or an EKS cluster reached with the function's IAM
     * role.
     */
    cluster: ClusterConnection.extend({
      scenario: z.string().default("scenarios/demo.yaml"),
      local: z.enum(["simulator", "real"]).default("simulator"),
    })
      .strict()
      .prefault({}),
    /**
     * Operator-authored workflows (issue 23): every `.yaml` file of `directory` (resolved like
     * `cluster.scenario`), each a workflow with its steps. One bad file refuses the whole directory, naming
     * the file, the path and the reason, and nothing is registered. On AWS the files ship with the
     * functions that read the catalog.
     */
    catalog: z
      .object({ directory: z.string().min(1).optional() })
      .strict()
      .prefault({}),
    /** Other managed clusters, by the value of the alert's `cluster` label; unnamed alerts use `cluster`. */
    clusters: z.record(z.string(), ClusterConnection).default({}),
    /** Signal processing (DESIGN §3.2): the Rego classification policy and the managed scope. */
    signalProcessing: z
      .object({
        classificationPolicy: z.string().default("packages/policy/policies/classification/default.rego"),
        /** `label`: only targets labelled kubernaut.ai/managed=true (or in such a namespace); `all`: everything. */
        managedScope: z.enum(["label", "all"]).default("label"),
        /**
         * Let the shipped classification policy read the environment from the namespace's name
         * (`payments-prod` → Production) when no label names it. Off by default: a name is a guess
         * (`payments-prod` may be a test of the payments product). Reaches the policy as
         * `input.options.environment_from_namespace_name`; an operator's own policy may ignore it.
         */
        environmentFromNamespaceName: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** The graduation report's thresholds (the seed's graduation signals). */
    graduation: z
      .object({
        minAssessed: count(5),
        minFullShare: fraction(0.8),
        minMeanScore: fraction(0.8),
        minApprovalsInRow: count(3),
        /** A failure more recent than this argues against graduating, and for demoting. */
        recentFailure: duration("168h", { min: "1h", max: "2160h" }),
      })
      .strict()
      .prefault({}),
    retention: z
      .object({
        remediationDays: z.number().int().min(1).max(3650).default(90),
        auditDays: z.number().int().min(1).max(3650).default(365),
      })
      .strict()
      .prefault({}),
    storage: z
      .object({
        tableName: z.string().min(3).max(255).default("kubernaut"),
        /** The local loop's region (DynamoDB Local ignores it); on Lambda the function's AWS_REGION wins. */
        region: z.string().default("us-east-1"),
        /** Set for DynamoDB Local; absent on AWS. */
        endpoint: z.url().optional(),
      })
      .strict()
      .prefault({}),
    server: z
      .object({ port: z.number().int().min(1).max(65_535).default(8787) })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.output<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
