import { CATALOG } from "@kubernaut/workflows";
import { describe, expect, it } from "vitest";
import { checkProposal } from "./proposal";

const valid = {
  rootCause: "revision 2 crashes on start",
  workflowId: "crashloop-rollback-v1",
  parameters: { toRevision: 1 },
  confidence: 0.9,
  rationale: "every pod of the new revision crash-loops",
};

describe("checkProposal", () => {
  it.each([
    { case: "a valid proposal", text: JSON.stringify(valid), problem: undefined },
    {
      case: "a valid proposal in a code fence",
      text: `Here:\n\`\`\`json\n${JSON.stringify(valid)}\n\`\`\``,
      problem: undefined,
    },
    {
      case: "no workflow (null)",
      text: JSON.stringify({ ...valid, workflowId: null, parameters: {} }),
      problem: undefined,
    },
    {
      case: "prose instead of JSON",
      text: "I think you should roll back.",
      problem: /^the answer is not JSON/,
    },
    {
      case: "a missing field",
      text: JSON.stringify({ ...valid, rootCause: undefined }),
      problem: /rootCause/,
    },
    {
      case: "an extra field",
      text: JSON.stringify({ ...valid, execute: true }),
      problem: /does not match the schema/,
    },
    {
      case: "confidence out of range",
      text: JSON.stringify({ ...valid, confidence: 7 }),
      problem: /confidence/,
    },
    {
      case: "an unknown workflow",
      text: JSON.stringify({ ...valid, workflowId: "delete-namespace-v1" }),
      problem: /delete-namespace-v1 is not in the catalog \(choose one of: crashloop-rollback-v1/,
    },
    {
      case: "out-of-schema parameters",
      text: JSON.stringify({ ...valid, workflowId: "scale-replicas-v1", parameters: { replicas: 0 } }),
      problem: /^parameters of scale-replicas-v1: replicas/,
    },
    {
      case: "an unknown parameter",
      text: JSON.stringify({ ...valid, parameters: { toRevision: 1, force: true } }),
      problem: /force: not a parameter/,
    },
  ])("$case", ({ text, problem }) => {
    const result = checkProposal(text, CATALOG);
    if (problem === undefined) expect(result.ok).toBe(true);
    else expect(result.ok ? "accepted" : result.problem).toMatch(problem);
  });
});
