import type { Message } from "@a2a-js/sdk";
import { z } from "zod";

const LabelSet = z.record(z.string().min(1).max(256), z.string().max(4096));

/**
 * A structured signal in a data part: Alertmanager's shape (`labels`, `annotations`, `startsAt`), or just
 * the label set. The labels are what ingest reads (alertname, namespace, deployment / statefulset / …,
 * severity, cluster), exactly as on the webhook, so both dedup onto one remediation.
 */
const AlertShaped = z
  .object({
    labels: LabelSet,
    annotations: LabelSet.default({}),
    startsAt: z.iso.datetime({ offset: true }).optional(),
    generatorURL: z.string().max(2048).optional(),
  })
  .strict();
const LabelsOnly = LabelSet.transform((labels) => ({ labels, annotations: {} as Record<string, string> }));

/** The text intake's own limits (POST /api/v1/signals/text), so both doors accept the same sentences. */
const Description = z.string().trim().min(10, "describe the problem in at least 10 characters").max(4000);
const Cluster = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "a cluster name as configured");

export type IncomingRequest =
  | {
      kind: "signal";
      labels: Record<string, string>;
      annotations: Record<string, string>;
      startsAt?: string;
      generatorURL?: string;
    }
  | { kind: "text"; text: string; cluster?: string }
  | { kind: "invalid"; reason: string };

/**
 * What a new message asks for. One message is one problem: a task follows exactly one remediation, so a
 * message with several signals is refused rather than silently cut down to the first.
 */
export function readRequest(message: Message): IncomingRequest {
  const data: unknown[] = [];
  const texts: string[] = [];
  for (const part of message.parts) {
    if (part.content?.$case === "data") data.push(part.content.value);
    if (part.content?.$case === "text") texts.push(part.content.value);
  }
  const text = texts.join("\n").trim();
  if (data.length > 1)
    return { kind: "invalid", reason: "send one signal per message (one task follows one remediation)" };
  if (data.length === 1) {
    // Told apart by the `labels` key, so a mistake is reported against the shape the sender meant.
    const value = data[0];
    const parsed = (isObject(value) && "labels" in value ? AlertShaped : LabelsOnly).safeParse(value);
    if (!parsed.success)
      return { kind: "invalid", reason: `invalid signal: ${describeIssues(parsed.error)}` };
    const signal: z.output<typeof AlertShaped> = parsed.data;
    return {
      kind: "signal",
      labels: signal.labels,
      // A sentence sent with the signal is kept as its description, as an alert's annotation would be.
      annotations:
        text && !signal.annotations.description
          ? { ...signal.annotations, description: text }
          : signal.annotations,
      ...(signal.startsAt ? { startsAt: signal.startsAt } : {}),
      ...(signal.generatorURL ? { generatorURL: signal.generatorURL } : {}),
    };
  }
  if (texts.length === 0)
    return {
      kind: "invalid",
      reason:
        "the message has neither a signal (a data part with Alertmanager labels: alertname, namespace, deployment …) nor a description of the problem (a text part)",
    };
  const description = Description.safeParse(text);
  if (!description.success) return { kind: "invalid", reason: describeIssues(description.error) };
  const rawCluster: unknown = message.metadata?.cluster;
  if (rawCluster === undefined) return { kind: "text", text: description.data };
  const cluster = Cluster.safeParse(rawCluster);
  if (!cluster.success)
    return { kind: "invalid", reason: `metadata.cluster: ${describeIssues(cluster.error)}` };
  return { kind: "text", text: description.data, cluster: cluster.data };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path.map(String).join(".");
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join("; ");
}
