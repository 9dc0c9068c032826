import { describe, expect, it } from "vitest";
import { mayDecide } from "./scope";

describe("mayDecide", () => {
  it.each([
    {
      case: "an admin, anywhere",
      caller: { role: "admin", scopes: [] },
      env: "Production",
      ns: "payments",
      expected: true,
    },
    {
      case: "a viewer, never",
      caller: { role: "viewer", scopes: [{ environments: [], namespaces: [] }] },
      env: "Staging",
      ns: "a",
      expected: false,
    },
    {
      case: "an approver without scopes, never",
      caller: { role: "approver", scopes: [] },
      env: "Staging",
      ns: "a",
      expected: false,
    },
    {
      case: "an approver scoped to everything",
      caller: { role: "approver", scopes: [{ environments: [], namespaces: [] }] },
      env: "Production",
      ns: "a",
      expected: true,
    },
    {
      case: "environment in scope",
      caller: { role: "approver", scopes: [{ environments: ["staging"], namespaces: [] }] },
      env: "Staging",
      ns: "x",
      expected: true,
    },
    {
      case: "environment out of scope",
      caller: { role: "approver", scopes: [{ environments: ["Staging"], namespaces: [] }] },
      env: "Production",
      ns: "x",
      expected: false,
    },
    {
      case: "both must match within one entry",
      caller: { role: "approver", scopes: [{ environments: ["Production"], namespaces: ["payments"] }] },
      env: "Production",
      ns: "shop",
      expected: false,
    },
    {
      case: "any entry may grant",
      caller: {
        role: "approver",
        scopes: [
          { environments: ["Staging"], namespaces: [] },
          { environments: [], namespaces: ["shop"] },
        ],
      },
      env: "Production",
      ns: "shop",
      expected: true,
    },
  ] as const)("$case", ({ caller, env, ns, expected }) => {
    expect(
      mayDecide(
        {
          name: "t",
          role: caller.role,
          scopes: caller.scopes.map((s) => ({
            environments: [...s.environments],
            namespaces: [...s.namespaces],
          })),
        },
        env,
        ns,
      ),
    ).toBe(expected);
  });
});
