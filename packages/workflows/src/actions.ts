import { z } from "zod";
import { parseQuantity, QuantityError } from "./quantity";

/**
 * The built-in actions a workflow step can take on its target: the one home of action types. Each has
 * an executor and a dry-run description in packages/cluster (`EXECUTORS`, typed `Record<ActionType, …>`,
 * so an action without either does not compile), the kinds it acts on, whether it changes the target's
 * spec, and the schema of its input (what a step's `with:` must render to).
 */
export const ACTION_TYPES = [
  "RollbackDeployment",
  "RestartPod",
  "IncreaseMemoryLimits",
  "ScaleReplicas",
  "PatchHPA",
  "CordonDrainNode",
  "RollbackStatefulSet",
  "PatchResource",
] as const;
export const ActionType = z.enum(ACTION_TYPES);
export type ActionType = z.infer<typeof ActionType>;

export function isActionType(value: string): value is ActionType {
  return (ACTION_TYPES as readonly string[]).includes(value);
}

/** A memory amount: a whole number of bytes, or a Kubernetes quantity ("768Mi"), kept in bytes. */
const Bytes = z.union([z.number().int().positive(), z.string()]).transform((value, ctx) => {
  try {
    return parseQuantity(value);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: error instanceof QuantityError ? error.message : String(error) });
    return z.NEVER;
  }
});

const WORKLOADS = ["Deployment", "StatefulSet", "DaemonSet"] as const;

export interface ActionSpec {
  /** What it does, for people (the catalog, the dry run). */
  readonly what: string;
  /** The kinds of target it can act on. */
  readonly targetKinds: readonly string[];
  /** Whether it changes the target's spec: refused on GitOps-managed targets (DESIGN §3.7). */
  readonly changesSpec: boolean;
  /** What a step's `with:` must render to; executors parse their input with it. */
  readonly input: z.ZodType<Record<string, unknown>, Record<string, unknown>>;
}

/**
 * Every action with its facts. `satisfies Record<ActionType, …>`: adding an action type without saying
 * what it acts on and what it takes does not compile.
 */
export const ACTIONS = {
  RollbackDeployment: {
    what: "restore the pod template of an earlier ReplicaSet revision (0 = the previous one)",
    targetKinds: ["Deployment"],
    changesSpec: true,
    input: z.object({ toRevision: z.number().int().min(0).default(0) }).strict(),
  },
  RestartPod: {
    what: "delete the least healthy pod (its controller replaces it), or restart the rollout",
    targetKinds: [...WORKLOADS, "Pod"],
    changesSpec: false,
    input: z.object({ mode: z.enum(["deletePod", "rolloutRestart"]).default("deletePod") }).strict(),
  },
  IncreaseMemoryLimits: {
    what: "set one container's memory limit to an absolute value",
    targetKinds: WORKLOADS,
    changesSpec: true,
    input: z.object({ container: z.string().min(1), memoryLimit: Bytes }).strict(),
  },
  ScaleReplicas: {
    what: "set the replica count",
    targetKinds: ["Deployment", "StatefulSet"],
    changesSpec: false,
    input: z.object({ replicas: z.number().int().min(0).max(1000) }).strict(),
  },
  PatchHPA: {
    what: "set maxReplicas of the HorizontalPodAutoscaler that targets the workload",
    targetKinds: ["Deployment", "StatefulSet"],
    changesSpec: false,
    input: z.object({ maxReplicas: z.number().int().min(1).max(1000) }).strict(),
  },
  CordonDrainNode: {
    what: "cordon a node and (unless drain is false) evict its pods through the Eviction API",
    targetKinds: ["Node"],
    changesSpec: false,
    input: z.object({ drain: z.boolean().default(true) }).strict(),
  },
  RollbackStatefulSet: {
    what: "restore the pod template of an earlier controllerrevision (0 = the previous one)",
    targetKinds: ["StatefulSet"],
    changesSpec: true,
    input: z.object({ toRevision: z.number().int().min(0).default(0) }).strict(),
  },
  PatchResource: {
    what: "send a strategic-merge patch to the target (resources, env, an annotation, …)",
    targetKinds: WORKLOADS,
    changesSpec: true,
    input: z
      .object({
        // The patch touches the spec or labels/annotations; status and identity are not the caller's.
        patch: z
          .object({
            metadata: z
              .object({
                labels: z.record(z.string(), z.string()).optional(),
                annotations: z.record(z.string(), z.string()).optional(),
              })
              .strict()
              .optional(),
            spec: z.record(z.string(), z.unknown()).optional(),
          })
          .strict()
          .refine((patch) => patch.spec !== undefined || patch.metadata !== undefined, {
            message: "a patch changes spec or metadata",
          }),
      })
      .strict(),
  },
} as const satisfies Record<ActionType, ActionSpec>;

/** An action's input, checked: the parsed value, or the problems phrased per field. */
export function parseActionInput(
  action: ActionType,
  input: unknown,
): { ok: true; input: Record<string, unknown> } | { ok: false; problems: string[] } {
  const result = (ACTIONS[action].input as ActionSpec["input"]).safeParse(input);
  if (result.success) return { ok: true, input: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => `${issue.path.join(".") || "(input)"}: ${issue.message}`),
  };
}
