import { parseAllDocuments } from "yaml";
import { z } from "zod";
import { Behaviour } from "./behaviour";
import type { K8sObject } from "./store";

const ObjectDocument = z
  .object({
    kind: z.string().min(1),
    metadata: z.object({ name: z.string().min(1), namespace: z.string().optional() }).passthrough(),
  })
  .passthrough();

const PatchDocument = z.object({
  kind: z.literal("Patch"),
  target: z.object({ kind: z.string().min(1), name: z.string().min(1), namespace: z.string().optional() }),
  patch: z.record(z.string(), z.unknown()),
});

/** One change a scenario makes, in the order it makes it. */
export type ScenarioStep =
  | { type: "create"; object: K8sObject }
  /** A change after creation (a rollout): gives a scenario history, e.g. a bad revision 2. */
  | { type: "patch"; target: z.infer<typeof PatchDocument>["target"]; patch: Record<string, unknown> };

export interface Scenario {
  steps: ScenarioStep[];
  /** The `Behaviour` document, when the scenario has one (the last wins). */
  behaviour?: Behaviour;
}

/** A scenario document that is not what it should be; says which document and why. */
export class ScenarioError extends Error {
  override readonly name = "ScenarioError";
}

/**
 * Reads a scenario (`scenarios/*.yaml`): Kubernetes manifests (a `List` counts as its items), `Patch`
 * documents applied after creation (a strategic-merge patch of a target), and a `Behaviour` document
 * for the behaviour model. The simulator and the test cluster (packages/testcluster) load the same files.
 */
export function parseScenario(yamlText: string): Scenario {
  const steps: ScenarioStep[] = [];
  let behaviour: Behaviour | undefined;
  parseAllDocuments(yamlText).forEach((doc, index) => {
    const where = `scenario document ${index + 1}`;
    if (doc.errors.length > 0) throw new ScenarioError(`${where}: ${doc.errors[0]?.message}`);
    const value = doc.toJS() as K8sObject | null;
    if (!value) return;
    if (value.kind === "Behaviour" || value.behaviour) {
      const parsed = Behaviour.safeParse(value.behaviour ?? value.spec ?? {});
      if (!parsed.success) throw new ScenarioError(`${where} (Behaviour): ${z.prettifyError(parsed.error)}`);
      behaviour = parsed.data;
      return;
    }
    if (value.kind === "Patch") {
      const parsed = PatchDocument.safeParse(value);
      if (!parsed.success) throw new ScenarioError(`${where} (Patch): ${z.prettifyError(parsed.error)}`);
      steps.push({ type: "patch", target: parsed.data.target, patch: parsed.data.patch });
      return;
    }
    const items = value.kind === "List" ? ((value.items ?? []) as unknown[]) : [value];
    for (const item of items) {
      const parsed = ObjectDocument.safeParse(item);
      if (!parsed.success) throw new ScenarioError(`${where}: ${z.prettifyError(parsed.error)}`);
      steps.push({ type: "create", object: parsed.data as K8sObject });
    }
  });
  return behaviour ? { steps, behaviour } : { steps };
}
