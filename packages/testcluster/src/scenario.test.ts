import { parseScenario } from "@kubernaut/cluster/simulator";
import { describe, expect, it } from "vitest";
import { renamed } from "./scenario";

const SCENARIO = `
apiVersion: v1
kind: Namespace
metadata: { name: staging }
---
apiVersion: v1
kind: Node
metadata: { name: worker-1, labels: { kubernetes.io/hostname: worker-1, zone: a } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: staging }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      nodeSelector: { kubernetes.io/hostname: worker-1, zone: a }
      containers: [{ name: app, image: web:1 }]
---
apiVersion: v1
kind: Pod
metadata: { name: pinned, namespace: staging }
spec: { nodeName: worker-1, containers: [{ name: app, image: web:1 }] }
---
kind: Patch
target: { kind: Deployment, namespace: staging, name: web }
patch: { spec: { replicas: 2 } }
---
kind: Behaviour
behaviour: { memoryDemand: { staging/web/app: 1Gi, app: 2Gi }, load: { staging/web: 3 } }
`;

describe("renamed", () => {
  const result = renamed(parseScenario(SCENARIO), "-x1");
  const objects = result.steps.flatMap((s) => (s.type === "create" ? [s.object] : []));
  const byKind = (kind: string) => objects.find((o) => o.kind === kind);

  it("suffixes namespaces wherever an object or a Patch names one", () => {
    expect(byKind("Namespace")?.metadata.name).toBe("staging-x1");
    expect(byKind("Deployment")?.metadata.namespace).toBe("staging-x1");
    expect(result.steps.find((s) => s.type === "patch")).toMatchObject({
      target: { namespace: "staging-x1" },
    });
  });

  it("suffixes nodes, their hostname label and the pod specs that pin to them, and nothing else", () => {
    expect(byKind("Node")?.metadata).toMatchObject({
      name: "worker-1-x1",
      labels: { "kubernetes.io/hostname": "worker-1-x1", zone: "a" },
    });
    expect(byKind("Deployment")?.spec.template.spec.nodeSelector).toEqual({
      "kubernetes.io/hostname": "worker-1-x1",
      zone: "a",
    });
    expect(byKind("Pod")?.spec.nodeName).toBe("worker-1-x1");
  });

  it("rekeys the behaviour's namespaced keys and keeps bare container names", () => {
    expect(result.behaviour?.memoryDemand).toEqual({ "staging-x1/web/app": "1Gi", app: "2Gi" });
    expect(result.behaviour?.load).toEqual({ "staging-x1/web": 3 });
  });

  it("leaves the parsed scenario untouched", () => {
    const original = parseScenario(SCENARIO);
    renamed(original, "-x2");
    expect(original.steps[0]).toMatchObject({ object: { metadata: { name: "staging" } } });
  });
});
