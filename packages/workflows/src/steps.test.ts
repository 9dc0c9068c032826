import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ACTION_TYPES, ACTIONS } from "./actions";
import { CATALOG } from "./catalog";
import { parseWorkflow, type WorkflowDefinitionInput } from "./definition";
import { CatalogError, loadCatalogDirectory, parseWorkflowText } from "./load";
import { render, TemplateError } from "./template";

/** Issue 23's example: scale the queue workers, then flush the cache with the team's own image. */
const scaleAndFlush: WorkflowDefinitionInput = {
  id: "scale-and-flush-v1",
  version: "1.2.0",
  actionType: "ScaleAndFlush",
  description: {
    what: "Scale the queue workers up and flush the cache.",
    whenToUse: "The queue backs up because workers serve stale cache entries.",
    whenNotToUse: "The cache is healthy.",
  },
  signals: ["QueueBacklogHigh"],
  targetKinds: ["Deployment"],
  parameters: {
    replicas: { type: "integer", description: "workers", required: true, minimum: 1, maximum: 20 },
    memory: { type: "quantity", description: "cache memory", default: "256Mi" },
  },
  reversible: true,
  blastRadius: "the worker pods and the cache",
  steps: [
    { name: "scale", action: "ScaleReplicas", with: { replicas: "{{ parameters.replicas }}" } },
    {
      name: "flush-cache",
      job: {
        image: "shop/cache-tools:1.0",
        args: ["flush", "--deployment={{ target.name }}", "--memory={{ parameters.memory }}"],
        env: { REMEDIATION: "{{ remediation.id }}" },
        serviceAccount: "cache-flusher",
        timeout: "5m",
        backoffLimit: 1,
      },
    },
  ],
};

const problemsOf = (input: unknown) => {
  const result = parseWorkflow(input);
  return result.ok ? [] : result.problems;
};

const withStep = (index: number, step: unknown) => {
  const copy = structuredClone(scaleAndFlush) as { steps: unknown[] };
  copy.steps[index] = step;
  return copy;
};

describe("workflow steps", () => {
  it("a two-step workflow with a Job parses, its action type named and changesSpec derived", () => {
    const result = parseWorkflow(scaleAndFlush);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.definition).toMatchObject({
      actionType: "ScaleAndFlush",
      changesSpec: false,
      steps: [
        { name: "scale", action: "ScaleReplicas" },
        { name: "flush-cache", job: { image: "shop/cache-tools:1.0", timeout: "5m", backoffLimit: 1 } },
      ],
    });
  });

  it("the built-in catalog is written in the same format: every workflow one action step", () => {
    for (const workflow of CATALOG) {
      expect(workflow.steps, workflow.id).toHaveLength(1);
      const [step] = workflow.steps;
      expect(step && "action" in step ? step.action : undefined, workflow.id).toBe(workflow.actionType);
    }
  });

  it("the one-step shorthand (how suggestions were registered) passes the parameters its action takes", () => {
    const result = parseWorkflow({ ...scaleAndFlush, actionType: "ScaleReplicas", steps: undefined });
    expect(result.ok && result.definition.steps).toEqual([
      { name: "scale-replicas", action: "ScaleReplicas", with: { replicas: "{{ parameters.replicas }}" } },
    ]);
  });

  it.each([
    [
      "an unknown action",
      withStep(0, { name: "scale", action: "FlushCache" }),
      `steps.0.action: unknown action FlushCache (known: ${ACTION_TYPES.join(", ")})`,
    ],
    [
      "a parameter referenced but not declared",
      withStep(0, { name: "scale", action: "ScaleReplicas", with: { replicas: "{{ parameters.workers }}" } }),
      "steps.0.with.replicas: refers to parameter workers, which the workflow does not declare under parameters",
    ],
    [
      "a template that does not render to the action's input",
      withStep(0, {
        name: "scale",
        action: "ScaleReplicas",
        with: { replicas: "x{{ parameters.replicas }}" },
      }),
      "steps.0.with.replicas: Invalid input: expected number, received string (rendered with sample values of the parameters' types)",
    ],
    [
      "a template that is not a reference",
      withStep(1, { name: "flush", job: { image: "{{ image }}", timeout: "1m" } }),
      "steps.1.job.image: {{ image }} is not a reference",
    ],
    [
      "a template left open",
      withStep(1, { name: "flush", job: { image: "shop/x:{{ parameters.replicas", timeout: "1m" } }),
      'steps.1.job.image: "shop/x:{{ parameters.replicas" has a {{ without its }}',
    ],
    [
      "a target field that does not exist",
      withStep(1, { name: "flush", job: { image: "x", args: ["{{ target.uid }}"], timeout: "1m" } }),
      "steps.1.job.args.0: {{ target.uid }}: a target has kind, name, namespace and cluster, not uid",
    ],
    [
      "a Job without a timeout",
      withStep(1, { name: "flush", job: { image: "shop/cache-tools:1.0" } }),
      "steps.1.job.timeout: a Job step needs a timeout (e.g. 10m)",
    ],
    [
      "a Job timeout that is not a duration",
      withStep(1, { name: "flush", job: { image: "x", timeout: "ten minutes" } }),
      'steps.1.job.timeout: "ten minutes" is not a duration',
    ],
    [
      "an action that cannot act on a declared target kind",
      { ...scaleAndFlush, targetKinds: ["Deployment", "DaemonSet"] },
      "steps.0.action: ScaleReplicas cannot act on DaemonSet (it acts on Deployment, StatefulSet)",
    ],
    [
      "two steps of one name",
      withStep(1, { name: "scale", action: "ScaleReplicas", with: { replicas: 2 } }),
      "steps.1.name: another step is already called scale",
    ],
    [
      "a step with both an action and a job",
      withStep(0, { name: "scale", action: "ScaleReplicas", job: { image: "x", timeout: "1m" } }),
      "steps.0: a step has either an action or a job",
    ],
    [
      "several steps without an action type",
      { ...scaleAndFlush, actionType: undefined },
      "actionType: a workflow of several steps, or of a Job, names its action type",
    ],
  ])("refuses %s, naming the path and the reason", (_, input, problem) => {
    expect(problemsOf(input).join("\n")).toContain(problem);
  });
});

describe("templates", () => {
  const context = {
    parameters: { replicas: 3, memory: 805_306_368, flag: true },
    specs: {
      replicas: { type: "integer" as const, description: "n", required: false },
      memory: { type: "quantity" as const, description: "m", required: false },
    },
    target: { kind: "Deployment", name: "cart", namespace: "shop" },
    remediation: { id: "rr-1" },
  };

  it.each([
    ["{{ parameters.replicas }}", 3],
    ["{{parameters.memory}}", 805_306_368],
    ["--memory={{ parameters.memory }}", "--memory=768Mi"],
    ["{{ target.namespace }}/{{ target.name }}", "shop/cart"],
    ["{{ remediation.id }}", "rr-1"],
    ["{{ parameters.flag }}", true],
    ["plain", "plain"],
  ])("%s renders to %j", (template, value) => {
    expect(render(template, context)).toEqual(value);
  });

  it("an optional parameter without a value drops its key, so the action's default applies", () => {
    expect(render({ toRevision: "{{ parameters.missing }}", keep: 1 }, context)).toEqual({ keep: 1 });
  });

  it("a missing value inside a text does not render, naming the path", () => {
    expect(() => render({ args: ["--n={{ parameters.missing }}"] }, context, "job")).toThrow(TemplateError);
    try {
      render({ args: ["--n={{ parameters.missing }}"] }, context, "job");
    } catch (error) {
      expect((error as TemplateError).path).toBe("job.args.0");
    }
  });
});

describe("the catalog directory", () => {
  const dir = () => mkdtempSync(join(tmpdir(), "kubernaut-catalog-"));
  const yaml = (value: unknown) => JSON.stringify(value, null, 2);

  it("loads every workflow file, in name order", () => {
    const d = dir();
    writeFileSync(join(d, "b.yaml"), yaml(scaleAndFlush));
    writeFileSync(
      join(d, "a.yml"),
      yaml({ ...scaleAndFlush, id: "scale-only-v1", steps: [scaleAndFlush.steps?.[0]] }),
    );
    writeFileSync(join(d, "notes.txt"), "not a workflow");
    mkdirSync(join(d, "old"));
    expect(loadCatalogDirectory(d).map((w) => `${w.id}@${w.version}`)).toEqual([
      "scale-only-v1@1.2.0",
      "scale-and-flush-v1@1.2.0",
    ]);
  });

  it("refuses the whole directory when one file is wrong, with the file, the path and the reason", () => {
    const d = dir();
    writeFileSync(join(d, "good.yaml"), yaml(scaleAndFlush));
    writeFileSync(
      join(d, "bad.yaml"),
      yaml({ ...withStep(1, { name: "flush", job: { image: "x" } }), id: "bad-flush-v1" }),
    );
    writeFileSync(join(d, "shadow.yaml"), yaml({ ...scaleAndFlush, id: "crashloop-rollback-v1" }));
    let error: unknown;
    try {
      loadCatalogDirectory(d);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CatalogError);
    expect((error as CatalogError).problems).toEqual([
      expect.objectContaining({
        file: "bad.yaml",
        path: "steps.1.job.timeout",
        reason: expect.stringContaining("a Job step needs a timeout"),
      }),
      {
        file: "shadow.yaml",
        path: "id",
        reason: "crashloop-rollback-v1 is already defined by the built-in catalog",
      },
    ]);
    expect((error as Error).message).toContain("nothing was registered");
  });

  it("names the document of a multi-document file, and YAML errors as such", () => {
    const text = `${yaml(scaleAndFlush)}\n---\n${yaml({ ...scaleAndFlush, id: "x-v1", version: "1" })}`;
    expect(parseWorkflowText(text, "two.yaml").problems).toEqual([
      { file: "two.yaml (document 2)", path: "version", reason: "must be semver" },
    ]);
    expect(parseWorkflowText("id: [unclosed", "broken.yaml").problems[0]).toMatchObject({
      file: "broken.yaml",
      path: "(yaml)",
    });
  });

  it("every action's facts are complete", () => {
    for (const type of ACTION_TYPES) expect(ACTIONS[type].targetKinds.length, type).toBeGreaterThan(0);
  });
});
