import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ApisApi, CoreApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeConfigFor, kubeConfigYaml } from "../kubeconfig";
import { ClusterSimulator } from "./server";
import { shortAge } from "./table";

const SCENARIO = `
apiVersion: v1
kind: Namespace
metadata: { name: shop }
---
apiVersion: v1
kind: Node
metadata: { name: worker-1 }
status: { conditions: [{ type: Ready, status: "True" }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: checkout, namespace: shop, labels: { app: checkout } }
spec:
  replicas: 2
  selector: { matchLabels: { app: checkout } }
  template:
    metadata: { labels: { app: checkout } }
    spec:
      containers: [{ name: app, image: "shop/checkout:v2", resources: { limits: { memory: 256Mi } } }]
---
kind: Behaviour
behaviour:
  images: { "shop/checkout:v2": { crash: true } }
`;

/** kubectl's own Accept header for `get`: a server-side Table first, a plain list otherwise. */
const KUBECTL_ACCEPT =
  "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

const kubectlAvailable = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0;

describe("the simulator for an operator's kubectl", () => {
  const sim = new ClusterSimulator();
  let url: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    sim.loadScenario(SCENARIO);
    ({ url, close } = await sim.listen());
  });
  afterAll(async () => close());

  it("serves the discovery documents a client resolves resource names with", async () => {
    const kc = kubeConfigFor({ server: url });
    expect((await kc.makeApiClient(CoreApi).getAPIVersions()).versions).toEqual(["v1"]);
    const groups = (await kc.makeApiClient(ApisApi).getAPIVersions()).groups.map((g) => g.name);
    expect(groups).toEqual(expect.arrayContaining(["apps", "batch", "autoscaling", "policy"]));
    const apps = (await (await fetch(`${url}/apis/apps/v1`)).json()) as {
      resources: Array<{ name: string; shortNames?: string[] }>;
    };
    expect(apps.resources).toContainEqual(
      expect.objectContaining({ name: "deployments", shortNames: ["deploy"] }),
    );
  });

  it.each([
    [
      "/apis/apps/v1/deployments",
      ["Name", "Ready", "Up-to-date", "Available", "Age", "Images", "Memory limits"],
      ["checkout", "0/2"],
    ],
    [
      "/api/v1/namespaces/shop/pods",
      ["Name", "Ready", "Status", "Restarts", "Age", "Node", "Images"],
      ["0/1", "CrashLoopBackOff"],
    ],
    ["/api/v1/nodes", ["Name", "Status", "Age"], ["worker-1", "Ready"]],
  ])(
    "answers kubectl's Table request for %s with the columns an operator watches",
    async (path, columns, cells) => {
      const response = await fetch(`${url}${path}`, { headers: { accept: KUBECTL_ACCEPT } });
      const table = (await response.json()) as {
        kind: string;
        columnDefinitions: Array<{ name: string }>;
        rows: Array<{ cells: unknown[] }>;
      };
      expect(table.kind).toBe("Table");
      expect(table.columnDefinitions.map((c) => c.name)).toEqual(columns);
      expect(table.rows[0]?.cells).toEqual(expect.arrayContaining(cells));
    },
  );

  it("still answers @kubernetes/client-node (no Table asked for) with plain lists", async () => {
    const list = (await (await fetch(`${url}/apis/apps/v1/deployments`)).json()) as { kind: string };
    expect(list.kind).toBe("DeploymentList");
  });

  it.runIf(kubectlAvailable)("kubectl get deploy -A works with the kubeconfig written for it", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "kubernaut-kubectl-")), "kubeconfig");
    writeFileSync(path, kubeConfigYaml(url));
    // Not spawnSync: the simulator answering kubectl runs in this very process.
    const result = await promisify(execFile)(
      "kubectl",
      ["--kubeconfig", path, "get", "deploy", "-A", "-o", "wide"],
      { encoding: "utf8", timeout: 20_000 },
    );
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(
      /^NAMESPACE\s+NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+IMAGES\s+MEMORY LIMITS/,
    );
    expect(result.stdout).toMatch(/shop\s+checkout\s+0\/2\s+.*shop\/checkout:v2\s+app=256Mi/);
  });

  it.each([
    [0, "0s"],
    [42_000, "42s"],
    [310_000, "5m10s"],
    [3_600_000, "60m"],
    [4 * 3_600_000, "4h"],
    [72 * 3_600_000, "3d"],
  ])("renders an age of %i ms as kubectl does: %s", (ms, text) => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(shortAge(new Date(now - ms).toISOString(), now)).toBe(text);
  });
});
