import { describe, expect, it } from "vitest";
import { jsonPatch, mergePatch, strategicMergePatch } from "./patch";

const deployment = {
  spec: {
    replicas: 2,
    template: {
      spec: {
        containers: [
          { name: "app", image: "shop/app:v1", resources: { limits: { memory: "256Mi" } } },
          { name: "sidecar", image: "envoy:1" },
        ],
      },
    },
  },
};

describe("patches", () => {
  it("merge patch replaces lists and deletes with null", () => {
    expect(
      mergePatch(deployment, {
        spec: { replicas: null, template: { spec: { containers: [{ name: "app", image: "x" }] } } },
      }),
    ).toEqual({
      spec: { template: { spec: { containers: [{ name: "app", image: "x" }] } } },
    });
  });

  it("strategic merge patch merges containers by name", () => {
    const patched = strategicMergePatch(deployment, {
      spec: {
        template: { spec: { containers: [{ name: "app", resources: { limits: { memory: "512Mi" } } }] } },
      },
    }) as typeof deployment;
    expect(patched.spec.template.spec.containers).toEqual([
      { name: "app", image: "shop/app:v1", resources: { limits: { memory: "512Mi" } } },
      { name: "sidecar", image: "envoy:1" },
    ]);
  });

  it("strategic merge patch removes an element with $patch: delete", () => {
    const patched = strategicMergePatch(deployment, {
      spec: { template: { spec: { containers: [{ name: "sidecar", $patch: "delete" }] } } },
    }) as typeof deployment;
    expect(patched.spec.template.spec.containers.map((c) => c.name)).toEqual(["app"]);
  });

  it.each([
    [[{ op: "replace", path: "/spec/replicas", value: 5 }], (d: typeof deployment) => d.spec.replicas, 5],
    [
      [{ op: "add", path: "/spec/paused", value: true }],
      (d: typeof deployment & { spec: { paused?: boolean } }) => d.spec.paused,
      true,
    ],
    [
      [{ op: "remove", path: "/spec/template/spec/containers/1" }],
      (d: typeof deployment) => d.spec.template.spec.containers.length,
      1,
    ],
  ])("JSON patch %j", (ops, read, expected) => {
    expect(read(jsonPatch(deployment, ops) as never)).toBe(expected);
  });

  it("JSON patch test failure and missing paths are errors", () => {
    expect(() => jsonPatch(deployment, [{ op: "test", path: "/spec/replicas", value: 3 }])).toThrow(
      /test operation/,
    );
    expect(() => jsonPatch(deployment, [{ op: "replace", path: "/spec/nope/x", value: 1 }])).toThrow(
      /does not exist/,
    );
  });
});
