import { CATALOG, findWorkflow, tryParseQuantity, type WorkflowDefinition } from "@kubernaut/workflows";
import { describe, expect, it } from "vitest";
import { initialValues, problemsToFieldErrors, readParameterForm } from "./form";

const workflow = (id: string): WorkflowDefinition => {
  const found = findWorkflow(id, CATALOG);
  if (!found) throw new Error(`no ${id}`);
  return found;
};

describe("the approve-with-changes form", () => {
  it.each([
    ["scale-replicas-v1", { param_replicas: "5" }, { replicas: 5 }, {}],
    ["scale-replicas-v1", { param_replicas: "500" }, { replicas: 500 }, { replicas: "must be ≤ 100" }],
    ["scale-replicas-v1", { param_replicas: "0" }, { replicas: 0 }, { replicas: "must be ≥ 1" }],
    [
      "scale-replicas-v1",
      { param_replicas: "2.5" },
      { replicas: 2.5 },
      { replicas: "must be a whole number" },
    ],
    ["scale-replicas-v1", { param_replicas: "many" }, {}, { replicas: "must be a number" }],
    ["scale-replicas-v1", { param_replicas: " " }, {}, { replicas: "required" }],
    ["crashloop-rollback-v1", { param_toRevision: "-1" }, { toRevision: -1 }, { toRevision: "must be ≥ 0" }],
    ["crashloop-rollback-v1", {}, {}, {}],
    ["restart-pod-v1", { param_mode: "rolloutRestart" }, { mode: "rolloutRestart" }, {}],
    [
      "restart-pod-v1",
      { param_mode: "reboot" },
      { mode: "reboot" },
      { mode: "must be one of deletePod, rolloutRestart" },
    ],
    ["cordon-drain-node-v1", { param_drain: "false" }, { drain: false }, {}],
    ["cordon-drain-node-v1", { param_drain: "maybe" }, {}, { drain: "must be true or false" }],
    [
      "increase-memory-limits-v1",
      { param_container: "app", param_memoryLimit: "768Mi" },
      { container: "app", memoryLimit: 805_306_368 },
      {},
    ],
    [
      "increase-memory-limits-v1",
      { param_container: "app", param_memoryLimit: "1Mi" },
      { container: "app", memoryLimit: 1_048_576 },
      { memoryLimit: "must be ≥ 16Mi" },
    ],
    [
      "increase-memory-limits-v1",
      { param_container: "app", param_memoryLimit: "lots" },
      { container: "app" },
      { memoryLimit: '"lots" is not a Kubernetes quantity (e.g. 600Mi, 1Gi, 512M)' },
    ],
  ])("%s %j → parameters %j, errors %j (the API's rules)", (id, form, parameters, errors) => {
    // Act
    const read = readParameterForm(workflow(id), form);
    // Assess
    expect(read.parameters).toEqual(parameters);
    expect(read.errors).toEqual(errors);
  });

  it.each([
    ["805306368", 805_306_368],
    ["768Mi", 805_306_368],
    ["1Gi", 1_073_741_824],
    ["1.5Gi", 1_610_612_736],
    ["2G", 2_000_000_000],
    ["512k", 512_000],
    ["-1", undefined],
    ["lots", undefined],
    ["1Qi", undefined],
  ])("reads the quantity %s as %s bytes", (raw, bytes) => {
    // The form reads quantities with the catalog's own parser, so it accepts what the API accepts.
    expect(tryParseQuantity(raw)).toBe(bytes);
  });

  it("starts from the proposed values for the proposed workflow, else the schema's defaults", () => {
    expect(initialValues(workflow("crashloop-rollback-v1"), { toRevision: 3 })).toEqual({
      param_toRevision: "3",
    });
    expect(initialValues(workflow("restart-pod-v1"), undefined)).toEqual({ param_mode: "deletePod" });
    expect(initialValues(workflow("scale-replicas-v1"), undefined)).toEqual({});
    expect(
      initialValues(workflow("increase-memory-limits-v1"), { container: "app", memoryLimit: 805_306_368 }),
    ).toEqual({
      param_container: "app",
      param_memoryLimit: "768Mi",
    });
  });

  it("maps what decideApproval still refuses back onto fields, and keeps the rest for the summary", () => {
    const errors = problemsToFieldErrors(
      "invalid decision: workflowOverride.parameters.replicas: must be ≤ 100; workflowOverride.rationale: an override needs a rationale; something else",
      workflow("scale-replicas-v1"),
    );
    expect(errors).toEqual({
      replicas: "must be ≤ 100",
      rationale: "an override needs a rationale",
      "": "something else",
    });
  });
});
