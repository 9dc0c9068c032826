import { z } from "zod";

/**
 * How workloads behave in the simulator, so remediations have something real to fix: an image that
 * crashes, a container that needs more memory than its limit, how long a healthy container takes to
 * become Ready.
 */
export const Behaviour = z
  .object({
    /** By image: `crash` makes every container of that image crash-loop, with these logs. */
    images: z
      .record(
        z.string(),
        z.object({
          crash: z.boolean().default(false),
          /** The image cannot be pulled (a typo in the tag, a missing registry secret). */
          pullFails: z.boolean().default(false),
          logs: z.string().optional(),
          exitCode: z.number().int().default(1),
        }),
      )
      .default({}),
    /** Memory a container needs, by `<namespace>/<workload>/<container>` (or just the container name), in bytes or a quantity. */
    memoryDemand: z.record(z.string(), z.union([z.number(), z.string()])).default({}),
    /** Replicas the load calls for, by `<namespace>/<workload>`: an HPA scales toward it, capped at maxReplicas. */
    load: z.record(z.string(), z.number().int().min(0)).default({}),
    /** How long a healthy container takes to become Ready. */
    readyAfterMs: z.number().int().min(0).default(0),
  })
  .strict();
export type Behaviour = z.infer<typeof Behaviour>;

const UNITS: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** Parses a Kubernetes memory quantity ("512Mi", "1G", "1048576") into bytes. */
export function parseQuantity(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number") return value;
  const match = /^(\d+(?:\.\d+)?)([kMGT]i?|)$/.exec(value.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * (UNITS[match[2] ?? ""] ?? 1));
}
