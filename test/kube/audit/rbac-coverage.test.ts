import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { z } from "zod";
import { PRODUCT_USER } from "../../support/kube";

/**
 * deploy/rbac.yaml is sufficient and minimal, held to what the product did over the whole kube suite.
 * This file runs in the `kube-audit` project, a later group than `kube` (vitest.config.ts), on the same
 * control plane: by now every kube test file has driven the product with a token of its ServiceAccount,
 * and kube-apiserver's audit log holds each of those requests. Every (verb, resource) the product asked
 * for must be granted, and every grant must have been used — or be listed in UNEXERCISED with the code
 * that needs it and why no test here can exercise it.
 */
const UNEXERCISED: Record<string, { codePath: string; why: string }> = {};

/** Refused on purpose: test/kube/rbac.test.ts probes that the manifest grants none of these. */
const FORBIDDEN_PROBES = new Set([
  "list secrets",
  "get secrets",
  "delete apps/deployments",
  "create apps/deployments",
]);

const AuditEvent = z.object({
  user: z.object({ username: z.string() }),
  verb: z.string(),
  objectRef: z
    .object({
      resource: z.string().optional(),
      subresource: z.string().optional(),
      apiGroup: z.string().optional(),
    })
    .optional(),
  responseStatus: z.object({ code: z.number() }).optional(),
  requestURI: z.string(),
});
type AuditEvent = z.infer<typeof AuditEvent>;

/** `verb [group/]resource[/subresource]`, the way RBAC rules name a permission. */
const permission = (verb: string, group: string | undefined, resource: string) =>
  `${verb} ${group ? `${group}/` : ""}${resource}`;

const ofEvent = (e: AuditEvent) =>
  permission(
    e.verb,
    e.objectRef?.apiGroup,
    `${e.objectRef?.resource ?? e.requestURI}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ""}`,
  );

const Rule = z.object({
  apiGroups: z.array(z.string()),
  resources: z.array(z.string()),
  verbs: z.array(z.string()),
});

/** Every permission the ClusterRole of deploy/rbac.yaml grants, one per verb × group × resource. */
function granted(): Set<string> {
  const manifest = readFileSync(join(import.meta.dirname, "..", "..", "..", "deploy", "rbac.yaml"), "utf8");
  const role = parseAllDocuments(manifest)
    .map((d) => d.toJS() as { kind?: string; rules?: unknown })
    .find((d) => d.kind === "ClusterRole");
  const rules = z.array(Rule).parse(role?.rules);
  return new Set(
    rules.flatMap((r) =>
      r.verbs.flatMap((verb) =>
        r.apiGroups.flatMap((group) => r.resources.map((resource) => permission(verb, group, resource))),
      ),
    ),
  );
}

function productRequests(): AuditEvent[] {
  return readFileSync(inject("testCluster").auditLogPath, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => AuditEvent.parse(JSON.parse(line)))
    .filter((e) => e.user.username === PRODUCT_USER);
}

describe("deploy/rbac.yaml against kube-apiserver's audit log of the whole kube suite", () => {
  const events = productRequests();
  // A request the authorizer let through may still fail (a 404 for a target that does not exist): it
  // used the permission all the same. Only 401/403 are refusals.
  const refusedCodes = new Set([401, 403]);
  const used = new Set(events.filter((e) => !refusedCodes.has(e.responseStatus?.code ?? 0)).map(ofEvent));

  it("saw the product at work (run it with the kube project: npx vitest run --project 'kube*')", () => {
    expect(events.length).toBeGreaterThan(100);
  });

  it("refused nothing the product asked for: every permission it used is granted", () => {
    const refused = events
      .filter((e) => refusedCodes.has(e.responseStatus?.code ?? 0))
      .map(ofEvent)
      .filter((p) => !FORBIDDEN_PROBES.has(p));
    expect([...new Set(refused)].sort()).toEqual([]);
    expect([...used].filter((p) => !granted().has(p)).sort()).toEqual([]);
  });

  it("grants nothing the product did not use, except what is listed with the code that needs it", () => {
    const unused = [...granted()].filter((p) => !used.has(p)).sort();
    expect(unused).toEqual(Object.keys(UNEXERCISED).sort());
  });
});
