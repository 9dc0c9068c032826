import { CATALOG, findWorkflow } from "@kubernaut/workflows";
import { describe, expect, it } from "vitest";
import { approveWithChangesModal, readModalSubmission } from "./modal";

const memory = findWorkflow("increase-memory-limits-v1", CATALOG);
if (!memory) throw new Error("the catalog lost increase-memory-limits-v1");

describe("the approve-with-changes modal for a quantity", () => {
  it("offers the proposed limit as 768Mi in a text input, with its bound as a quantity", () => {
    const view = approveWithChangesModal(
      "rar-1",
      memory,
      { container: "app", memoryLimit: 805_306_368 },
      "x",
    );
    const block = (
      view.blocks as Array<{ block_id?: string; element?: unknown; hint?: { text: string } }>
    ).find((b) => b.block_id === "param_memoryLimit");
    expect(block?.element).toEqual({ type: "plain_text_input", action_id: "value", initial_value: "768Mi" });
    expect(block?.hint?.text).toContain("≥ 16Mi");
  });

  it.each([
    ["1Gi", { memoryLimit: 1_073_741_824 }, {}],
    ["805306368", { memoryLimit: 805_306_368 }, {}],
    ["1 gig", {}, { param_memoryLimit: '"1 gig" is not a Kubernetes quantity (e.g. 600Mi, 1Gi, 512M)' }],
  ])("reads %s back as bytes (or says what is wrong under the field)", (typed, parameters, errors) => {
    const read = readModalSubmission(memory, {
      param_container: { value: { value: "app" } },
      param_memoryLimit: { value: { value: typed } },
      rationale: { value: { value: "it needs more" } },
    });
    expect(read.parameters).toEqual({ container: "app", ...parameters });
    expect(read.errors).toEqual(errors);
  });
});
