import { describe, expect, it } from "vitest";
import { CATALOG } from "./catalog";
import { defineWorkflow, InvalidWorkflowError, type WorkflowDefinitionInput } from "./definition";
import { validateParameters } from "./parameters";

const valid: WorkflowDefinitionInput = {
  id: "noop-v1",
  version: "1.0.0",
  actionType: "ScaleReplicas",
  description: { what: "nothing", whenToUse: "tests", whenNotToUse: "production" },
  signals: ["Test"],
  targetKinds: ["Deployment"],
  parameters: { n: { type: "integer", description: "a number", minimum: 1, maximum: 5 } },
  changesSpec: false,
  reversible: true,
  blastRadius: "none",
  steps: [{ name: "scale", action: "ScaleReplicas", with: { replicas: "{{ parameters.n }}" } }],
};

describe("the workflow catalog", () => {
  it("ships the seven workflows with valid definitions", () => {
    expect(CATALOG.map((w) => w.id)).toEqual([
      "crashloop-rollback-v1",
      "restart-pod-v1",
      "increase-memory-limits-v1",
      "scale-replicas-v1",
      "patch-hpa-v1",
      "cordon-drain-node-v1",
      "rollback-statefulset-v1",
    ]);
  });

  it.each([
    [{ id: "Bad Id" }, "id: must look like name-vN"],
    [{ version: "1" }, "version: must be semver"],
    [{ signals: [] }, "signals:"],
    [
      { parameters: { n: { type: "integer", description: "x", minimum: 5, maximum: 1 } } },
      "parameters.n: minimum is above maximum",
    ],
    [{ parameters: { n: { type: "float", description: "x" } } }, "parameters.n.type:"],
  ])("refuses an invalid definition with the reason (%j)", (change, reason) => {
    const error = (() => {
      try {
        defineWorkflow({ ...valid, ...change } as WorkflowDefinitionInput);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidWorkflowError);
    expect((error as Error).message).toContain(reason);
  });

  it.each([
    [{ n: 3 }, []],
    [{}, []],
    [{ n: 0 }, ["n: must be ≥ 1"]],
    [{ n: 2.5 }, ["n: must be a whole number"]],
    [{ n: "3" }, ["n: must be a number"]],
    [{ m: 1 }, ["m: not a parameter of noop-v1"]],
  ])("validates parameters %j", (parameters, problems) => {
    expect(validateParameters(defineWorkflow(valid), parameters as never)).toEqual(problems);
  });
});
